/**
 * The load generator of the capacity benchmark: raw-socket SSE clients on
 * loopback, in a process of their own. `open` connects N of them (in
 * bounded waves, retrying refused opens a bounded number of times), `arm`
 * and `collect` record when each stream received each marked event, `close`
 * drops them all.
 */
import { connect, type Socket } from 'node:net';
import { serveRequests } from './child.js';

const MARK = Buffer.from('"mark":');
const HELLO = Buffer.from('hello');
const MAX_RETRIES = 5;

interface Client {
  readonly socket: Socket;
  /** Arrival time of each armed mark (index = mark - first), 0 while not seen. */
  arrivals: Float64Array;
  seen: number;
}

const now = (): number => performance.timeOrigin + performance.now();
let clients: Client[] = [];
let armed = { first: 0, count: 0 };
let complete = 0;
let onComplete: (() => void) | undefined;

function openOne(port: number, path: string): Promise<Client | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    let open = false;
    const fail = (): void => {
      socket.destroy();
      resolve(undefined);
    };
    const client: Client = { socket, arrivals: new Float64Array(0), seen: 0 };
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      if (open) return record(client, chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!head.subarray(0, 12).toString().endsWith(' 200')) return fail();
      if (head.indexOf(HELLO, end) === -1) return;
      open = true;
      socket.removeListener('error', fail);
      socket.on('error', () => {});
      resolve(client);
    });
    socket.setTimeout(30_000, fail);
    socket.on('close', () => {
      if (!open) resolve(undefined);
    });
  });
}

function record(client: Client, chunk: Buffer): void {
  if (armed.count === 0) return;
  const at = now();
  for (let index = chunk.indexOf(MARK); index !== -1; index = chunk.indexOf(MARK, index + MARK.length)) {
    let value = 0;
    for (let i = index + MARK.length; i < chunk.length; i++) {
      const digit = chunk[i]! - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    const slot = value - armed.first;
    if (slot < 0 || slot >= armed.count || client.arrivals[slot] !== 0) continue;
    client.arrivals[slot] = at;
    client.seen += 1;
    if (client.seen === armed.count) {
      complete += 1;
      if (complete === clients.length) onComplete?.();
    }
  }
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
      armed = { first: Number(message['first']), count: Number(message['count']) };
      complete = 0;
      for (const client of clients) {
        client.arrivals = new Float64Array(armed.count);
        client.seen = 0;
      }
      return {};
    }
    case 'collect': {
      const timeoutMs = Number(message['timeoutMs']);
      if (complete < clients.length) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onComplete = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        onComplete = undefined;
      }
      // Per mark, every stream's arrival time (0: never arrived).
      const perMark: number[][] = [];
      for (let slot = 0; slot < armed.count; slot++) perMark.push(clients.map((client) => client.arrivals[slot]!));
      armed = { first: 0, count: 0 };
      return { perMark, clients: clients.length };
    }
    case 'close': {
      for (const client of clients) client.socket.destroy();
      clients = [];
      return {};
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
