/**
 * The load generator of the capacity benchmark: raw-socket SSE clients on
 * loopback, in a process of their own. `open` connects N of them (in
 * bounded waves, retrying refused opens a bounded number of times), `arm`
 * and `collect` record when each stream received each marked event, `close`
 * drops them all.
 */
import type { Socket } from 'node:net';
import { serveRequests } from './child.js';
import { ArrivalLog, openUntilHello, type Arrivals } from './raw-sse.js';

const MAX_RETRIES = 5;

interface Client extends Arrivals {
  socket: Socket | undefined;
}

const now = (): number => performance.timeOrigin + performance.now();
let clients: Client[] = [];
const log = new ArrivalLog(() => clients);

async function openOne(port: number, path: string): Promise<Client | undefined> {
  const client: Client = { socket: undefined, arrivals: new Float64Array(0), seen: 0, doubled: 0 };
  client.socket = await openUntilHello({ port, path }, 30_000, (chunk) => log.record(client, chunk));
  return client.socket ? client : undefined;
}

serveRequests(async (message) => {
  switch (message.type) {
    case 'open': {
      const port = Number(message['port']);
      const path = String(message['path']);
      const count = Number(message['count']);
      const wave = Number(message['concurrency'] ?? 200);
      const started = now();
      let retries = 0;
      let failed = 0;
      for (let done = 0; done < count; done += wave) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(wave, count - done) }, async () => {
            for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
              if (attempt > 0) retries += 1;
              const client = await openOne(port, path);
              if (client) return client;
            }
            failed += 1;
            return undefined;
          }),
        );
        for (const client of batch) if (client) clients.push(client);
      }
      return { opened: clients.length, failed, retries, ms: now() - started };
    }
    case 'arm': {
      log.arm(Number(message['first']), Number(message['count']));
      return {};
    }
    case 'collect': {
      await log.complete(Number(message['timeoutMs']));
      // Per mark, every stream's arrival time (0: never arrived).
      const perMark: number[][] = [];
      for (let slot = 0; slot < log.count; slot++) perMark.push(clients.map((client) => client.arrivals[slot]!));
      log.disarm();
      return { perMark, clients: clients.length };
    }
    case 'close': {
      for (const client of clients) client.socket?.destroy();
      clients = [];
      return {};
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
