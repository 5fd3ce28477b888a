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
import type { Socket } from 'node:net';
import { serveRequests } from './child.js';
import { MarkBook, openInWaves, openRawSse, sourceAddress, sseFields, type MarkLedger } from './raw-sse.js';

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
  readonly marks: MarkLedger;
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
const book = new MarkBook(MAX_MARKS);

const now = (): number => performance.timeOrigin + performance.now();

function later(client: Client, ms: number): void {
  if (stopping) return;
  setTimeout(() => openClient(client), ms).unref();
}

function openClient(client: Client): void {
  if (stopping) return;
  let hello = false;
  client.socket = openRawSse(
    { port, path, localAddress: sourceAddress(client.index), lastEventId: client.lastId },
    {
      body: sseFields({
        id: (id) => (client.lastId = id),
        retry: (ms) => (client.retryMs = ms),
        hello: () => {
          hello = true;
          client.opens += 1;
          client.onHello?.();
          client.onHello = undefined;
        },
        mark: (mark) => book.record(client.marks, mark),
      }),
      end: ({ status, head }) => {
        if (status !== 0 && status !== 200) {
          client.refusals += 1;
          const after = /\r\nretry-after:\s*(\d+)/i.exec(head);
          later(client, after ? Number(after[1]) * 1000 : client.retryMs);
          return;
        }
        if (status === 200 && !hello) client.deferred += 1;
        later(client, client.retryMs);
      },
    },
  );
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
      await openInWaves(count, (index) => {
        const client: Client = { index: firstIndex + index, socket: undefined, lastId: '', retryMs: 1000, marks: book.add(), opens: 0, refusals: 0, deferred: 0, onHello: undefined };
        clients.push(client);
        return new Promise<void>((resolve) => {
          client.onHello = resolve;
          openClient(client);
        });
      });
      return { opened: clients.length, ms: now() - started };
    }
    case 'caughtUp': {
      const started = now();
      const caught = await book.caughtUp(Number(message['through']), Number(message['timeoutMs']));
      return { caught, of: clients.length, at: now(), waitedMs: now() - started };
    }
    case 'report': {
      const through = Number(message['through']);
      let refusals = 0;
      let opens = 0;
      let deferred = 0;
      for (const client of clients) {
        deferred += client.deferred;
        refusals += client.refusals;
        opens += client.opens;
      }
      return { clients: clients.length, lost: book.lost(through), doubled: book.doubled(), refusals, deferred, opens };
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
