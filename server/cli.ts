#!/usr/bin/env node
/**
 * Starts the reference server standalone: `node dist/server/cli.js [--demo]`.
 * HOST and PORT choose where it listens (default 127.0.0.1:8080); the
 * COMET_* variables configure it (see README).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCometServer } from './comet-server.js';
import { demoChatSends } from './demo/chat-policy.js';
import { startDemoGenerator } from './demo/generator.js';
import { demoNotify } from './demo/inbox-samples.js';
import { createStandaloneServer } from './standalone.js';

const demo = process.argv.includes('--demo');
const host = process.env['HOST'] || '127.0.0.1';
const port = Number(process.env['PORT'] || 8080);
const publishKey = process.env['COMET_PUBLISH_KEY'] || randomBytes(12).toString('base64url');

const comet = createCometServer({
  publishKey,
  // The demo page may be opened from other origins (the script-tag use); a real deployment lists its sites.
  ...(demo && !process.env['COMET_ALLOWED_ORIGINS'] ? { allowedOrigins: '*' as const } : {}),
  // The chat page sends without sign-in; what it may store is checked by the demo's onSend.
  ...(demo ? { send: demoChatSends } : {}),
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = createStandaloneServer(comet, demo ? { '/dist/': join(root, 'dist'), '/': join(root, 'demo') } : undefined, demo ? demoNotify(comet) : undefined);
const stopDemo = demo ? startDemoGenerator(comet) : () => {};

server.listen(port, host, () => {
  const shown = host.includes(':') ? `[${host}]` : host;
  // The port actually bound: PORT=0 picks a free one.
  const base = `http://${shown}:${(server.address() as AddressInfo).port}`;
  console.log(demo ? `cometkit demo on ${base}/` : `cometkit server on ${base}${comet.options.basePath}`);
  console.log(`publish key: ${publishKey}`);
  console.log(
    `try: curl -X POST ${base}${comet.options.basePath}/publish -H 'Authorization: Bearer ${publishKey}' ` +
      `-H 'Content-Type: application/json' -d '{"channel":"demo.news","type":"headline","data":{"title":"Hello from curl"}}'`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopDemo();
    void comet.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
