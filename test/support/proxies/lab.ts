/**
 * The transport lab: a second reference server, tuned for transport tests,
 * with the two misbehaving proxies in front of it. The harness starts it
 * with its own server and closes it with it; browser tests find it through
 * `GET /control/lab` (see lab-client.ts).
 *
 * Its own server, because these tests need a long history (2,000 events
 * across connection cuts must never run into a gap), short poll timeouts
 * and small iframe documents, which other tests must not inherit.
 *
 * Routes on the lab origin (CORS open to any page):
 * - `/comet/*`: the lab server;
 * - `POST /control/publish`: publish an event or an array of them;
 * - `POST /control/buffering?key=K&mode=buffer|pass&bytes=N`: the buffering proxy's behaviour for key K;
 * - `POST /control/cutting?key=K&minMs=A&maxMs=B`: the cutting proxy's cut window for key K;
 * - `GET /control/cuts?key=K`: responses the cutting proxy cut for K;
 * - `POST /control/late-door?ms=N`: a new origin where the lab server is down for N ms, then up (late-door.ts);
 * - `GET /poster?data=JSON`: a page that posts `data` to its parent with target "*",
 *   to test that the iframe transport ignores what its own iframe did not send.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCometServer } from '../../../server/comet-server.js';
import { startBufferingProxy, DEFAULT_BUFFERING, type BufferingMode } from './buffering-proxy.js';
import { startCuttingProxy, DEFAULT_CUTTING, type CuttingMode } from './cutting-proxy.js';
import { openLateDoor, type LateDoor } from './late-door.js';
import { labSeed, randomPerKey } from './seeded-random.js';

export interface LabInfo {
  /** `http://127.0.0.1:PORT`: control endpoints and the poster page. */
  readonly url: string;
  /** The lab server's base URL, no proxy in between. */
  readonly comet: string;
  /** The buffering proxy's origin; a client's base URL is `${buffering}/${key}/comet`. */
  readonly buffering: string;
  /** The cutting proxy's origin; a client's base URL is `${cutting}/${key}/comet`. */
  readonly cutting: string;
  readonly heartbeatMs: number;
  readonly pollTimeoutMs: number;
  readonly historySize: number;
  /** The proxies' random seed: `COMET_LAB_SEED=<seed>` replays a run's cut times. */
  readonly seed: number;
}

export interface Lab {
  readonly info: LabInfo;
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function numberParam(url: URL, name: string, fallback: number): number {
  const value = Number(url.searchParams.get(name) ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

export async function startLab(seed = labSeed()): Promise<Lab> {
  const comet = createCometServer({
    basePath: '/comet',
    allowedOrigins: '*',
    heartbeatMs: 1000,
    historySize: 5000,
    pollTimeoutMs: 3000,
    // Small documents, so iframe tests go through several roll-overs.
    iframeMaxBytes: 64 * 1024,
  });
  const buffering = new Map<string, BufferingMode>();
  const cutting = new Map<string, CuttingMode>();

  const doors = new Set<LateDoor>();
  const port = (): number => (server.address() as AddressInfo).port;
  const control = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const key = url.searchParams.get('key') ?? '';
    switch (`${req.method} ${url.pathname}`) {
      case 'POST /control/publish': {
        const body = await readJson(req);
        const items = (Array.isArray(body) ? body : [body]) as Array<{ channel: string; data: unknown; type?: string }>;
        const published = [];
        for (const item of items) published.push(await comet.publish(item.channel, item.data, item.type ?? 'message'));
        return send(res, 200, Array.isArray(body) ? published : published[0]);
      }
      case 'POST /control/buffering': {
        const mode = url.searchParams.get('mode') === 'pass' ? 'pass' : 'buffer';
        buffering.set(key, { mode, bytes: numberParam(url, 'bytes', DEFAULT_BUFFERING.bytes) });
        return send(res, 200, buffering.get(key));
      }
      case 'POST /control/cutting': {
        cutting.set(key, { minMs: numberParam(url, 'minMs', DEFAULT_CUTTING.minMs), maxMs: numberParam(url, 'maxMs', DEFAULT_CUTTING.maxMs) });
        return send(res, 200, cutting.get(key));
      }
      case 'POST /control/late-door': {
        const door = await openLateDoor(port(), Math.min(numberParam(url, 'ms', 3000), 30_000));
        doors.add(door);
        return send(res, 200, { url: door.url, comet: `${door.url}/comet` });
      }
      case 'GET /control/cuts':
        return send(res, 200, { cuts: cuttingProxy.cuts(key) });
      case 'GET /poster': {
        const data = url.searchParams.get('data') ?? 'null';
        JSON.parse(data);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(`<!DOCTYPE html><script>parent.postMessage(${data.replace(/</g, '\\u003c')}, '*')</script>`);
        return;
      }
      default:
        return send(res, 404, { error: { code: 'not-found', message: `No lab endpoint ${req.method} ${url.pathname}.` } });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/comet/')) return comet(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    control(req, res, url).catch((error: unknown) => send(res, 400, { error: { code: 'bad-request', message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bufferingProxy = await startBufferingProxy(origin, (key) => buffering.get(key) ?? DEFAULT_BUFFERING);
  const cuttingProxy = await startCuttingProxy(origin, (key) => cutting.get(key) ?? DEFAULT_CUTTING, randomPerKey(seed));

  return {
    info: {
      url: origin,
      comet: `${origin}/comet`,
      buffering: bufferingProxy.url,
      cutting: cuttingProxy.url,
      heartbeatMs: comet.options.heartbeatMs,
      pollTimeoutMs: comet.options.pollTimeoutMs,
      historySize: comet.options.historySize,
      seed,
    },
    async close() {
      await Promise.all([bufferingProxy.close(), cuttingProxy.close(), ...[...doors].map((door) => door.close())]);
      await comet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
