#!/usr/bin/env node
/**
 * Starts the reference server standalone: `node dist/server/cli.js [--demo] [--workers N]`.
 * HOST and PORT choose where it listens (default 127.0.0.1:8080); the
 * COMET_* variables configure it (see README). With COMET_REDIS_URL events
 * and presence live in Redis, and `--workers N` runs N processes on the port.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCometServer } from './comet-server.js';
import { demoChatSends } from './demo/chat-policy.js';
import { startDemoGenerator } from './demo/generator.js';
import { demoNotify } from './demo/inbox-samples.js';
import { createStandaloneServer } from './standalone.js';
import { proxyFromEnv } from './standalone/proxy-from-env.js';
import { storageFromEnv } from './standalone/storage-from-env.js';
import { runWorkers } from './standalone/workers.js';

const demo = process.argv.includes('--demo');
const host = process.env['HOST'] || '127.0.0.1';
const port = Number(process.env['PORT'] || 8080);
const publishKey = process.env['COMET_PUBLISH_KEY'] || randomBytes(12).toString('base64url');
const workersArg = process.argv.indexOf('--workers');
const workers = workersArg === -1 ? 1 : Number(process.argv[workersArg + 1]);
if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
  console.error('--workers takes a whole number from 1 to 256, e.g. --workers 4.');
  process.exit(2);
}
if (workers > 1 && !process.env['COMET_REDIS_URL']) {
  console.error('--workers needs COMET_REDIS_URL: processes share channels through Redis only.');
  process.exit(2);
}

function announce(boundPort: number, basePath: string, extra = ''): void {
  const shown = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${boundPort}`;
  console.log(demo ? `cometkit demo on ${base}/${extra}` : `cometkit server on ${base}${basePath}${extra}`);
  console.log(`publish key: ${publishKey}`);
  console.log(
    `try: curl -X POST ${base}${basePath}/publish -H 'Authorization: Bearer ${publishKey}' ` +
      `-H 'Content-Type: application/json' -d '{"channel":"demo.news","type":"headline","data":{"title":"Hello from curl"}}'`,
  );
}

if (workers > 1 && cluster.isPrimary) {
  // Every worker gets the same key; the demo's publisher runs in slot 1 only, or each worker would publish the demo's events.
  runWorkers(workers, (slot) => ({ ...process.env, COMET_PUBLISH_KEY: publishKey, COMET_WORKER_SLOT: String(slot) }), (address) =>
    announce(Number(address.slice(address.lastIndexOf(':') + 1)), '/comet', ` (${workers} workers on Redis)`),
  );
} else {
  serve();
}

/** A configuration the server refuses (a GRIP URL without its key, say): one line that says what to set, no stack. */
function configured<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('cometkit server:')) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function serve(): void {
  const comet = configured(() => createCometServer({
    publishKey,
    ...storageFromEnv(),
    ...proxyFromEnv(),
    // The demo page may be opened from other origins (the script-tag use); a real deployment lists its sites.
    ...(demo && !process.env['COMET_ALLOWED_ORIGINS'] ? { allowedOrigins: '*' as const } : {}),
    // The chat page sends without sign-in; what it may store is checked by the demo's onSend.
    ...(demo ? { send: demoChatSends } : {}),
    // The demo's bell has no sign-in: each page names its user with ?user= (the server logs that this is on).
    ...(demo ? { inbox: { anonymous: true } } : {}),
  }));
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const server = createStandaloneServer(comet, demo ? { '/dist/': join(root, 'dist'), '/': join(root, 'demo') } : undefined, demo ? demoNotify(comet) : undefined);
  const publishesDemo = demo && (process.env['COMET_WORKER_SLOT'] ?? '1') === '1';
  const stopDemo = publishesDemo ? startDemoGenerator(comet) : () => {};

  server.listen(port, host, () => {
    // The port actually bound: PORT=0 picks a free one. Workers leave the announcement to the primary.
    if (cluster.isPrimary) announce((server.address() as AddressInfo).port, comet.options.basePath);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopDemo();
      void comet.close();
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}
