#!/usr/bin/env node
/**
 * Starts the reference server standalone: `node dist/server/cli.js [--demo]`.
 * HOST and PORT choose where it listens (default 127.0.0.1:8080); the
 * COMET_* variables configure it (see README).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCometServer } from './comet-server.js';
import { startDemoGenerator } from './demo/generator.js';
import { staticFiles } from './demo/static-files.js';
import { answerClientError } from './http/client-error.js';
import { HttpError, sendError } from './http/http-error.js';

const demo = process.argv.includes('--demo');
const host = process.env['HOST'] || '127.0.0.1';
const port = Number(process.env['PORT'] || 8080);
const publishKey = process.env['COMET_PUBLISH_KEY'] || randomBytes(12).toString('base64url');

const comet = createCometServer({
  publishKey,
  // The demo page may be opened from other origins (the script-tag use); a real deployment lists its sites.
  ...(demo && !process.env['COMET_ALLOWED_ORIGINS'] ? { allowedOrigins: '*' as const } : {}),
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = demo ? staticFiles({ '/dist/': join(root, 'dist'), '/': join(root, 'demo') }) : undefined;

const notFound = (res: ServerResponse): void => sendError(res, new HttpError(404, 'not-found', 'Nothing is served at this path.'));
const server = createServer((req, res) => {
  comet(req, res, () => {
    if (!files) return notFound(res);
    files(req, res).then(
      (served) => {
        if (!served) notFound(res);
      },
      () => sendError(res, new HttpError(500, 'internal', 'The file could not be served.')),
    );
  });
});
// Slow headers and bodies hold a socket each: Node's defaults (60 s, 300 s) are far longer than any client needs.
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.on('clientError', answerClientError);
const stopDemo = demo ? startDemoGenerator(comet) : () => {};

server.listen(port, host, () => {
  const shown = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${port}`;
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
