/**
 * The server under test in the capacity benchmark, in a process of its own
 * (so its memory is its own): `floor <heartbeat ms>`, `cometkit <heartbeat ms>`,
 * `cometkit-grip <heartbeat ms> <control URL> <signing key>` or `grip-backend`. Answers
 * `listen`, `memory` and `streams` over IPC.
 *
 * cometkit takes its storage from the environment as the standalone server
 * does (`COMET_REDIS_URL`); `cometkit <heartbeat ms> --workers N` runs N
 * node:cluster workers on one port, through the standalone server's own
 * primary (`runWorkers`), and this process answers only `listen`.
 */
import cluster from 'node:cluster';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCometServer } from '../../server/index.js';
import { storageFromEnv } from '../../server/standalone/storage-from-env.js';
import { runWorkers } from '../../server/standalone/workers.js';
import { serveRequests } from './child.js';

const [mode, heartbeat, controlUrl, signingKey] = process.argv.slice(2);
const workersArg = process.argv.indexOf('--workers');
const workers = workersArg === -1 ? 1 : Number(process.argv[workersArg + 1]);
const primaryOfWorkers = workers > 1 && cluster.isPrimary;
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform' };

type Handler = Parameters<typeof createServer>[1];
let handler: NonNullable<Handler>;
let streams: () => number;

if (mode === 'floor') {
  // The floor: what any server must do at least. One frame built once per publish, written to every stream.
  const open = new Set<ServerResponse>();
  streams = () => open.size;
  handler = (req, res) => {
    if (req.url?.startsWith('/comet/sse')) {
      res.writeHead(200, SSE_HEADERS);
      res.write('event: hello\ndata: {}\n\n');
      open.add(res);
      req.on('close', () => open.delete(res));
      return;
    }
    if (req.method === 'POST' && req.url === '/comet/publish') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
        const frame = Buffer.from(`data: ${body}\n\n`);
        setImmediate(() => {
          for (const stream of open) stream.write(frame);
        });
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  };
} else if (mode === 'grip-backend') {
  // Pushpin alone: a backend that only says "hold this on channel bench"; publishes go straight to Pushpin.
  let answered = 0;
  streams = () => answered;
  handler = (req, res) => {
    if (req.url?.startsWith('/comet/sse')) {
      answered += 1;
      res.writeHead(200, { ...SSE_HEADERS, 'Grip-Hold': 'stream', 'Grip-Channel': 'bench' });
      res.end('event: hello\ndata: {}\n\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  };
} else if (primaryOfWorkers) {
  // The workers hold the servers; this process only starts them.
  streams = () => 0;
  handler = () => {
    throw new Error('the primary serves no requests');
  };
} else if (mode === 'cometkit' || mode === 'cometkit-grip') {
  const comet = createCometServer({
    publishKey: 'bench',
    heartbeatMs: Number(heartbeat),
    // Every benchmark client comes from 127.0.0.1: the per-address and total caps are lifted.
    maxConnections: 25_000,
    maxStreamsPerClient: 25_000,
    // Opening is not what is measured here (the storm bench measures admission): every start is taken.
    maxStreamStartsPerSecond: 1_000_000,
    ...storageFromEnv(),
    ...(mode === 'cometkit-grip' ? { grip: { controlUrl: controlUrl!, signingKey: signingKey! } } : {}),
  });
  streams = () => comet.stats().streams;
  handler = (req, res) => comet(req, res);
} else {
  throw new Error(`unknown mode ${mode}: floor, cometkit, cometkit-grip <url>, grip-backend`);
}

if (primaryOfWorkers) {
  serveRequests(async (message) => {
    if (message.type !== 'listen') throw new Error(`the primary of ${workers} workers answers listen only, not ${message.type}`);
    const port = Number(message['port']);
    await new Promise<void>((resolve) => runWorkers(workers, () => ({ ...process.env, CAPACITY_PORT: String(port) }), () => resolve()));
    return { port };
  });
} else if (cluster.isWorker) {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  server.maxConnections = 25_000;
  server.listen(Number(process.env['CAPACITY_PORT']), '127.0.0.1', 4096);
} else {
  serveAlone();
}

function serveAlone(): void {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  // 10,000 streams on one server: the default (unlimited) is fine, but say so.
  server.maxConnections = 25_000;

  serveRequests(async (message) => {
    switch (message.type) {
      case 'listen': {
        await new Promise<void>((resolve) => server.listen(Number(message['port'] ?? 0), '127.0.0.1', 4096, resolve));
        return { port: (server.address() as AddressInfo).port };
      }
      case 'memory': {
        for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
        const usage = process.memoryUsage();
        return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external };
      }
      case 'streams':
        return { streams: streams() };
      default:
        throw new Error(`unknown request ${message.type}`);
    }
  });
}
