import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CometServer } from './comet-server.js';
import { staticFiles } from './demo/static-files.js';
import { answerClientError } from './http/client-error.js';
import { allowReadingAnswer } from './http/cors.js';
import { HttpStatusError, sendError } from './http/http-error.js';
import { limitSocketsPerAddress } from './http/socket-limits.js';
import type { TrustedProxies } from './http/trusted-proxies.js';

/** How long sockets may take and how many one address may hold; every field has a default. */
export interface StandaloneSocketOptions {
  /** Time for a request's headers to arrive, counted from the connection or the previous answer (ms). Default 10000. */
  readonly headersTimeoutMs?: number;
  /** Time for a whole request (headers and body) to arrive (ms). Default 30000. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept between requests (ms). Default 5000. */
  readonly keepAliveTimeoutMs?: number;
  /** Open sockets one address may hold. Default: the streams `maxStreamsPerClient` allows (2000) plus 500 for their requests. */
  readonly maxSocketsPerAddress?: number;
  /** Proxies in front (COMET_TRUST_PROXY): their sockets carry many clients and are not capped per address. */
  readonly trustedProxies?: TrustedProxies;
}

export const SOCKET_DEFAULTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000, socketsBesideStreams: 500 } as const;

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
  sockets: StandaloneSocketOptions = {},
): Server {
  const serveFile = files ? staticFiles(files) : undefined;
  const notFound = (req: IncomingMessage, res: ServerResponse): void => {
    // Readable by the page that asked, as the endpoints' own 404: a client given a wrong base path (`/` for `/comet`) then says so instead of "unreachable".
    try {
      allowReadingAnswer(req, res, comet.options.allowedOrigins);
    } catch (error) {
      return sendError(res, error as HttpStatusError);
    }
    sendError(res, new HttpStatusError(404, 'not-found', 'Nothing is served at this path.'));
  };
  const headersTimeout = sockets.headersTimeoutMs ?? SOCKET_DEFAULTS.headersTimeoutMs;
  const server = createServer(
    {
      // Slow headers and bodies hold a socket each: Node's defaults (60 s, 300 s) are far longer than any client needs.
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, sockets.requestTimeoutMs ?? SOCKET_DEFAULTS.requestTimeoutMs),
      keepAliveTimeout: sockets.keepAliveTimeoutMs ?? SOCKET_DEFAULTS.keepAliveTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s), so a 10 s timeout held a socket
      // for 10-40 s; checked each second, they hold within a second of their value.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (req, res) => {
      comet(req, res, () => {
        if (!serveFile && !extra) return notFound(req, res);
        (async () => (await extra?.(req, res)) || (serveFile ? await serveFile(req, res) : false))().then(
          (served) => {
            if (!served) notFound(req, res);
          },
          () => sendError(res, new HttpStatusError(500, 'internal', 'The file could not be served.')),
        );
      });
    },
  );
  server.on('clientError', answerClientError);
  limitSocketsPerAddress(server, {
    // Below the stream limit, that limit would never be reached: a client would see sockets refused instead of its 429.
    maxSocketsPerAddress: sockets.maxSocketsPerAddress ?? comet.options.maxStreamsPerClient + SOCKET_DEFAULTS.socketsBesideStreams,
    ...(sockets.trustedProxies ? { trustedProxies: sockets.trustedProxies } : {}),
  });
  return server;
}
