/**
 * Resuming SSE clients on raw sockets, in a process of their own, for the
 * restart-storm benchmark and its short version in the tests. Each behaves
 * as a bare EventSource does: it keeps the last `id:` it read, waits the
 * server's `retry:` after a drop or a failed connect and comes back with
 * `Last-Event-ID`. A `503` with `Retry-After` is waited out as the SDK does
 * (a bare EventSource would give up: the server answers those with
 * `retry:` instead, see server/stream/admission.ts).
 *
 * Every event carries `{"mark":N}`; each client records the marks it read,
 * so doubles are counted as they arrive and holes at the end. Sources are
 * spread over 127.0.0.2 and up, 1,000 clients per address, as many
 * browsers would come from many addresses; with several processes of
 * clients, each starts at its own `firstIndex` so their addresses differ.
 *
 * Requests (IPC): `open` {port, path, count, firstIndex}, `caughtUp` {through,
 * timeoutMs} (resolves when every client has read every mark up to
 * `through`), `report` {through}, `close`.
 */
import { connect, type Socket } from 'node:net';
import { serveRequests } from './child.js';

const MARK = '"mark":';
const PER_ADDRESS = 1000;
/**
 * Marks a client can record: bounded, so a long run cannot grow without end
 * (one byte each per client: 10,000 marks are 83 minutes at 2 events/s, and
 * 50,000 clients hold 500 MB of them).
 */
const MAX_MARKS = 10_000;

interface Client {
  readonly index: number;
  socket: Socket | undefined;
  lastId: string;
  retryMs: number;
  /** Marks read (1 = once); index = mark. */
  readonly marks: Uint8Array;
  /** Every mark up to this one was read. */
  contiguous: number;
  doubled: number;
  /** Connections answered with a hello. */
  opens: number;
  refusals: number;
  /** Streams answered 200 with only `retry:` (the server's admission, to a bare EventSource). */
  deferred: number;
  /** Called at the first hello, however many attempts it takes. */
  onHello: (() => void) | undefined;
}

let port = 0;
let path = '';
let clients: Client[] = [];
let stopping = false;
let waiting: { through: number; resolve: () => void } | undefined;
let caught = 0;

const now = (): number => performance.timeOrigin + performance.now();

function sourceAddress(index: number): string {
  const host = 2 + Math.floor(index / PER_ADDRESS);
  return `127.${Math.floor(host / 62_500) % 256}.${Math.floor(host / 250) % 250}.${(host % 250) + 2}`;
}

function later(client: Client, ms: number): void {
  if (stopping) return;
  setTimeout(() => openClient(client), ms).unref();
}

function openClient(client: Client): void {
  if (stopping) return;
  const socket = connect({ host: '127.0.0.1', port, localAddress: sourceAddress(client.index) });
  client.socket = socket;
  let head = '';
  let open = false;
  let rest = '';
  let retried = false;
  let hello = false;
  const retry = (ms: number): void => {
    if (retried) return;
    retried = true;
    if (open && !hello) client.deferred += 1;
    socket.destroy();
    later(client, ms);
  };
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  socket.on('error', () => retry(client.retryMs));
  socket.on('close', () => retry(client.retryMs));
  socket.on('connect', () => {
    const resume = client.lastId ? `Last-Event-ID: ${client.lastId}\r\n` : '';
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n${resume}\r\n`);
  });
  socket.on('data', (chunk: string) => {
    if (!open) {
      head += chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = Number(head.slice(9, 12));
      if (status !== 200) {
        client.refusals += 1;
        const after = /\r\nretry-after:\s*(\d+)/i.exec(head.slice(0, end));
        retry(after ? Number(after[1]) * 1000 : client.retryMs);
        return;
      }
      open = true;
      chunk = head.slice(end + 4);
      head = '';
    }
    // Chunked transfer: the size lines are dropped with every line that is no SSE field we use.
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('id: ')) client.lastId = line.slice(4);
      else if (line.startsWith('retry: ')) client.retryMs = Number(line.slice(7)) || client.retryMs;
      else if (line.startsWith('event: hello')) {
        hello = true;
        client.opens += 1;
        client.onHello?.();
        client.onHello = undefined;
      } else if (line.startsWith('data: ')) {
        const at = line.indexOf(MARK);
        if (at !== -1) record(client, Number.parseInt(line.slice(at + MARK.length), 10));
      }
    }
  });
}

function record(client: Client, mark: number): void {
  if (!(mark > 0 && mark < MAX_MARKS)) return;
  if (client.marks[mark]) {
    client.doubled += 1;
    return;
  }
  client.marks[mark] = 1;
  const before = client.contiguous;
  while (client.marks[client.contiguous + 1]) client.contiguous += 1;
  if (waiting && before < waiting.through && client.contiguous >= waiting.through) {
    caught += 1;
    if (caught === clients.length) waiting.resolve();
  }
}

// Orphaned (the bench or test that started us ended): stop, rather than retry against nothing forever.
process.on('disconnect', () => process.exit(0));

serveRequests(async (message) => {
  switch (message.type) {
    case 'open': {
      port = Number(message['port']);
      path = String(message['path']);
      const count = Number(message['count']);
      const firstIndex = Number(message['firstIndex'] ?? 0);
      const started = now();
      // In waves, as the storm's first opening is not what is measured.
      for (let done = 0; done < count; done += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - done) }, (_, k) => {
            const client: Client = { index: firstIndex + done + k, socket: undefined, lastId: '', retryMs: 1000, marks: new Uint8Array(MAX_MARKS), contiguous: 0, doubled: 0, opens: 0, refusals: 0, deferred: 0, onHello: undefined };
            clients.push(client);
            return new Promise<void>((resolve) => {
              client.onHello = resolve;
              openClient(client);
            });
          }),
        );
      }
      return { opened: clients.length, ms: now() - started };
    }
    case 'caughtUp': {
      const through = Number(message['through']);
      caught = clients.filter((client) => client.contiguous >= through).length;
      const started = now();
      if (caught < clients.length) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Number(message['timeoutMs']));
          waiting = {
            through,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
        waiting = undefined;
      }
      return { caught, of: clients.length, at: now(), waitedMs: now() - started };
    }
    case 'report': {
      const through = Number(message['through']);
      let lost = 0;
      let doubled = 0;
      let refusals = 0;
      let opens = 0;
      let deferred = 0;
      for (const client of clients) {
        deferred += client.deferred;
        for (let mark = 1; mark <= through; mark++) if (!client.marks[mark]) lost += 1;
        doubled += client.doubled;
        refusals += client.refusals;
        opens += client.opens;
      }
      return { clients: clients.length, lost, doubled, refusals, deferred, opens };
    }
    case 'close': {
      stopping = true;
      for (const client of clients) client.socket?.destroy();
      clients = [];
      return {};
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
