import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCometServer, type CometServer, type CometServerOptions } from '../../server/index.js';
import { staticFiles } from '../../server/demo/static-files.js';

export interface BenchServer {
  readonly origin: string;
  readonly comet: CometServer;
  /** Serves extra pages for one benchmark: path → HTML. */
  page(path: string, html: string): void;
  close(): Promise<void>;
}

/** The reference server on 127.0.0.1, serving dist/ at /dist/ and pages registered by a benchmark. */
export async function startBenchServer(options: CometServerOptions = {}): Promise<BenchServer> {
  const comet = createCometServer({ publishKey: 'bench', allowedOrigins: '*', ...options });
  const files = staticFiles({ '/dist/': join(process.cwd(), 'dist') });
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    comet(req, res, () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const page = pages.get(path);
      if (page !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(page);
        return;
      }
      void files(req, res).then((served) => {
        if (served) return;
        res.writeHead(404);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    comet,
    page: (path, html) => pages.set(path, html),
    close: async () => {
      await comet.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
