/**
 * Run as a child process with --expose-gc: starts a server in this process,
 * floods it over loopback, and after each flood waits (on the server's own
 * counters, not a clock) for what it holds to drain, collects garbage, and
 * measures the heap. Prints one JSON line of figures.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryBroker } from '../../server/broker/memory-broker.js';
import { startServer, until } from './node-server.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const ROUNDS = Number(process.env['FLOOD_REQUESTS'] ?? 2000);

const server = await startServer({
  publishKey: 'k',
  historyTtlMs: 200,
  maxPayloadBytes: 64 * 1024,
  presence: { ttlMs: 200, anonymousPerMinute: 1_000_000 },
});
const port = (server.http.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const broker = server.comet.broker as MemoryBroker;

function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Opens an SSE stream, waits for its first bytes, and drops it. */
function streamOnce(path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => resolve());
    req.end();
  });
}

async function flood(count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) await one(next++);
  }));
}

async function settledHeap(): Promise<number> {
  // Drained means: no channel, no presence session, no open stream left on the server.
  await until(() => broker.channelCount === 0 && server.comet.presence.sessionCount === 0 && server.comet.stats().streams === 0, 10_000, 'the server to drain');
  for (let i = 0; i < 4; i += 1) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const MB = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;
const figures: Array<{ flood: string; requests: number; peakMB: number; afterMB: number; floodMs: number; drainMs: number }> = [];
const baseline = await settledHeap();
const run = async (name: string, one: (i: number) => Promise<unknown>): Promise<void> => {
  let peak = 0;
  const started = performance.now();
  await flood(ROUNDS, async (i) => {
    await one(i);
    if (i % 200 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  const flooded = performance.now();
  const afterMB = MB(await settledHeap());
  figures.push({ flood: name, requests: ROUNDS, peakMB: MB(peak), afterMB, floodMs: Math.round(flooded - started), drainMs: Math.round(performance.now() - flooded) });
};

const tag = Date.now().toString(36);
await run('anonymous presence on new channels', (i) => send('POST', `/comet/presence?ch=flood.${tag}.p${i}&session=sess-${tag}-${i}&name=${'n'.repeat(60)}`));
await run('publishes to new channels', (i) => send('POST', '/comet/publish', JSON.stringify({ channel: `flood.${tag}.c${i}`, data: { pad: 'x'.repeat(2000) } }), { Authorization: 'Bearer k' }));
await run('10 KB bodies nested 5000 deep', () => send('POST', '/comet/publish', `{"channel":"flood.deep","data":${'['.repeat(5000)}${']'.repeat(5000)}}`, { Authorization: 'Bearer k' }));
await run('streams opened and dropped', (i) => streamOnce(`/comet/sse?ch=flood.${tag}.s${i % 50}`));
await run('history and roster reads of new channels', (i) => send('GET', i % 2 ? `/comet/history?ch=flood.${tag}.h${i}` : `/comet/presence?ch=flood.${tag}.h${i}`));

agent.destroy();
await server.close();
console.log(JSON.stringify({ baselineMB: MB(baseline), figures }));
