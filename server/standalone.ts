import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CometServer } from './comet-server.js';
import { staticFiles } from './demo/static-files.js';
import { answerClientError } from './http/client-error.js';
import { HttpError, sendError } from './http/http-error.js';

/**
 * Connections the kernel may hold for us before we accept them. Node's
 * default (511) is far below a restart storm: 10,000 clients connect within
 * a second, and each one past the queue has its handshake dropped and
 * retried by TCP after 1, 3, 7, 15, 31 s — which made a storm's time grow
 * faster than its size (ListenOverflows counted 30,000 in one 5,000-client
 * storm). The kernel caps it at net.core.somaxconn (4096 on current
 * Linux; raise that too for more).
 */
export const LISTEN_BACKLOG = 65_535;

/**
 * The HTTP server the CLI runs: the cometkit endpoints, the demo's static
 * files when `files` maps URL prefixes to folders, and JSON answers for
 * everything else, including requests Node's parser rejects. `extra`
 * answers a request of its own (the demo's) by resolving true.
 */
export function createStandaloneServer(
  comet: CometServer,
  files?: Record<string, string>,
  extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
): Server {
  const serveFile = files ? staticFiles(files) : undefined;
  const notFound = (res: ServerResponse): void => sendError(res, new HttpError(404, 'not-found', 'Nothing is served at this path.'));
  const server = createServer((req, res) => {
    comet(req, res, () => {
      if (!serveFile && !extra) return notFound(res);
      (async () => (await extra?.(req, res)) || (serveFile ? await serveFile(req, res) : false))().then(
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
  return server;
}
