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
import { connect, type Socket } from 'node:net';
import { serveRequests } from './child.js';

const MARK = '"mark":';
const PER_ADDRESS = 1000;
const MAX_MARKS = 100_000;

interface Client {
  readonly index: number;
  socket: Socket | undefined;
  attempt: number;
  lastId: string;
  retryMs: number;
  readonly marks: Uint8Array;
  contiguous: number;
  doubled: number;
  failures: number;
  onHello: (() => void) | undefined;
}

let ports: number[] = [];
let path = '';
let clients: Client[] = [];
let stopping = false;
let waiting: { through: number; resolve: () => void } | undefined;
let caught = 0;
/** When each hello arrived (ms since the epoch): the reconnect rate is read from these. */
const hellos: number[] = [];

const now = (): number => performance.timeOrigin + performance.now();

function sourceAddress(index: number): string {
  const host = 2 + Math.floor(index / PER_ADDRESS);
  return `127.0.${Math.floor(host / 250)}.${(host % 250) + 2}`;
}

function openClient(client: Client): void {
  if (stopping) return;
  const port = ports[(client.index + client.attempt) % ports.length]!;
  client.attempt += 1;
  const socket = connect({ host: '127.0.0.1', port, localAddress: sourceAddress(client.index) });
  client.socket = socket;
  let head = '';
  let open = false;
  let rest = '';
  let retried = false;
  const retry = (failed: boolean): void => {
    if (retried) return;
    retried = true;
    if (failed) client.failures += 1;
    socket.destroy();
    if (!stopping) setTimeout(() => openClient(client), client.retryMs).unref();
  };
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  socket.on('error', () => retry(true));
  socket.on('close', () => retry(false));
  socket.on('connect', () => {
    const resume = client.lastId ? `Last-Event-ID: ${client.lastId}\r\n` : '';
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n${resume}\r\n`);
  });
  socket.on('data', (chunk: string) => {
    if (!open) {
      head += chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (Number(head.slice(9, 12)) !== 200) {
        retry(true);
        return;
      }
      open = true;
      chunk = head.slice(end + 4);
      head = '';
    }
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('id: ')) client.lastId = line.slice(4);
      else if (line.startsWith('retry: ')) client.retryMs = Number(line.slice(7)) || client.retryMs;
      else if (line.startsWith('event: hello')) {
        hellos.push(now());
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

process.on('disconnect', () => process.exit(0));

serveRequests(async (message) => {
  switch (message.type) {
    case 'open': {
      ports = (message['ports'] as number[]).map(Number);
      path = String(message['path']);
      const count = Number(message['count']);
      const started = now();
      for (let done = 0; done < count; done += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - done) }, (_, k) => {
            const client: Client = { index: done + k, socket: undefined, attempt: 0, lastId: '', retryMs: 1000, marks: new Uint8Array(MAX_MARKS), contiguous: 0, doubled: 0, failures: 0, onHello: undefined };
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
      return { caught, of: clients.length, at: now() };
    }
    case 'report': {
      const through = Number(message['through']);
      const since = Number(message['since'] ?? 0);
      let lost = 0;
      let doubled = 0;
      let failures = 0;
      for (const client of clients) {
        for (let mark = 1; mark <= through; mark++) if (!client.marks[mark]) lost += 1;
        doubled += client.doubled;
        failures += client.failures;
      }
      return { lost, doubled, failures, hellos: hellos.filter((at) => at >= since) };
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
