/**
 * The plumbing both test proxies share: an HTTP server on a free loopback
 * port that forwards `/<key>/<path>` to `target/<path>`. The key lets each
 * test choose the proxy's behaviour for its own requests while both
 * browsers run tests against the same proxy.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Forwarded {
  readonly key: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The target's response; its body is not read yet. */
  readonly upstream: IncomingMessage;
  /** Ends both sides at once, the way a proxy that drops a connection does. */
  cut(): void;
}

export interface ProxyServer {
  /** `http://127.0.0.1:PORT`; a client's base URL is `${url}/${key}/comet`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `handle` gets each response once its headers came from the target;
 * `onRequest` each request as it arrives (a held poll sends no headers
 * until it is answered, and must be cuttable before that).
 */
export async function startForwardingProxy(
  target: string,
  handle: (forwarded: Forwarded) => void,
  onRequest?: (key: string, req: IncomingMessage, res: ServerResponse) => void,
): Promise<ProxyServer> {
  const targetUrl = new URL(target);
  const server: Server = createServer((req, res) => {
    const match = /^\/([A-Za-z0-9_.-]{1,64})(\/.*)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('proxy: use /<key>/<path>\n');
      return;
    }
    const [, key, path] = match as unknown as [string, string, string];
    onRequest?.(key, req, res);
    const outgoing = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path, headers: { ...req.headers, host: targetUrl.host }, agent: false },
      (upstream) => {
        const cut = (): void => {
          upstream.destroy();
          outgoing.destroy();
          req.socket.destroy();
        };
        handle({ key, req, res, upstream, cut });
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end();
    });
    // The client leaving ends the request upstream too, so the server frees the stream.
    res.on('close', () => outgoing.destroy());
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
