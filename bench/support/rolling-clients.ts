/**
 * Resuming SSE clients on raw sockets for the rolling-restart benchmark, in
 * a process of their own. Each behaves as a bare EventSource behind a
 * round-robin balancer: it keeps the last `id:` it read, and when its
 * stream ends (or a connect fails) it waits the server's last `retry:` and
 * comes back with `Last-Event-ID` to the next of the server ports — a
 * process that refuses is skipped on the next try, as a balancer does.
 * (A drain's `retry:` is the delay drawn for that stream.)
 *
 * Every event carries `{"mark":N}`: doubles are counted as they arrive,
 * holes at the end. Each hello is time-stamped, so the bench can tell how
 * many reconnects arrived per second. Sources are spread over 127.0.0.2 and
 * up, 1,000 clients per address.
 *
 * Requests (IPC): `open` {ports, path, count}, `caughtUp` {through,
 * timeoutMs}, `report` {through, since}, `close`.
 */
import type { Socket } from 'node:net';
import { serveRequests } from './child.js';
import { MarkBook, openInWaves, openRawSse, sourceAddress, sseFields, type MarkLedger } from './raw-sse.js';

const MAX_MARKS = 100_000;

interface Client {
  readonly index: number;
  socket: Socket | undefined;
  attempt: number;
  lastId: string;
  retryMs: number;
  readonly marks: MarkLedger;
  failures: number;
  onHello: (() => void) | undefined;
}

let ports: number[] = [];
let path = '';
let clients: Client[] = [];
let stopping = false;
const book = new MarkBook(MAX_MARKS);
/** When each hello arrived (ms since the epoch): the reconnect rate is read from these. */
const hellos: number[] = [];

const now = (): number => performance.timeOrigin + performance.now();

function openClient(client: Client): void {
  if (stopping) return;
  const port = ports[(client.index + client.attempt) % ports.length]!;
  client.attempt += 1;
  client.socket = openRawSse(
    { port, path, localAddress: sourceAddress(client.index), lastEventId: client.lastId },
    {
      body: sseFields({
        id: (id) => (client.lastId = id),
        retry: (ms) => (client.retryMs = ms),
        hello: () => {
          hellos.push(now());
          client.onHello?.();
          client.onHello = undefined;
        },
        mark: (mark) => book.record(client.marks, mark),
      }),
      end: ({ status, failed }) => {
        // A refusal counts as a failed connect, as does a socket error; a stream that ends does not.
        if (failed || (status !== 0 && status !== 200)) client.failures += 1;
        if (!stopping) setTimeout(() => openClient(client), client.retryMs).unref();
      },
    },
  );
}

process.on('disconnect', () => process.exit(0));

serveRequests(async (message) => {
  switch (message.type) {
    case 'open': {
      ports = (message['ports'] as number[]).map(Number);
      path = String(message['path']);
      const count = Number(message['count']);
      const started = now();
      await openInWaves(count, (index) => {
        const client: Client = { index, socket: undefined, attempt: 0, lastId: '', retryMs: 1000, marks: book.add(), failures: 0, onHello: undefined };
        clients.push(client);
        return new Promise<void>((resolve) => {
          client.onHello = resolve;
          openClient(client);
        });
      });
      return { opened: clients.length, ms: now() - started };
    }
    case 'caughtUp': {
      const caught = await book.caughtUp(Number(message['through']), Number(message['timeoutMs']));
      return { caught, of: clients.length, at: now() };
    }
    case 'report': {
      const through = Number(message['through']);
      const since = Number(message['since'] ?? 0);
      const failures = clients.reduce((sum, client) => sum + client.failures, 0);
      return { lost: book.lost(through), doubled: book.doubled(), failures, hellos: hellos.filter((at) => at >= since) };
    }
    case 'close': {
      stopping = true;
      for (const client of clients) client.socket?.destroy();
      clients = [];
      book.clear();
      return {};
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
