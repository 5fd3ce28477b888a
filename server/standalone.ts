import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CometServer } from './comet-server.js';
import { staticFiles } from './demo/static-files.js';
import { answerClientError } from './http/client-error.js';
import { HttpError, sendError } from './http/http-error.js';

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
