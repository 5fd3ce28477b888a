/**
 * The benchmarks' SSE clients on raw sockets, and their bookkeeping of the
 * marked events they read. Every benchmark event carries `"mark":N`; the
 * client processes (rolling-clients.ts, storm-clients.ts, load-clients.ts,
 * capacity-clients.ts) differ in what they do with a stream, not in how they
 * read one or count its marks.
 *
 * Raw sockets rather than EventSource or fetch: tens of thousands of streams
 * fit in one process only when each costs a socket and a few closures, and
 * the latency clients read marks straight from the bytes as they arrive.
 */
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

const MARK = Buffer.from('"mark":');
const MARK_TEXT = '"mark":';
const HELLO = Buffer.from('event: hello');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Bounds what a client buffers of an answer's head, or of a stream before its hello. */
const MAX_PENDING_BYTES = 1 << 20;

const now = (): number => performance.timeOrigin + performance.now();

/**
 * 127.0.0.2 and up, `perAddress` clients each, as many browsers come from
 * many addresses: each source address has ~28,000 ephemeral ports. A range
 * never reaches 127.255.255.255.
 */
export function sourceAddress(index: number, perAddress = 1000): string {
  const host = 2 + Math.floor(index / perAddress);
  return `127.${Math.floor(host / 62_500) % 256}.${Math.floor(host / 250) % 250}.${(host % 250) + 2}`;
}

export interface RawSseTarget {
  readonly port: number;
  /** Path and query, e.g. `/comet/sse?ch=bench`. */
  readonly path: string;
  readonly localAddress?: string;
  /** Sent as `Last-Event-ID`, as an EventSource does when it resumes. */
  readonly lastEventId?: string;
}

/** How a stream ended: its answer (status 0 when none came) and whether the socket failed rather than closed. */
export interface RawSseEnd {
  readonly status: number;
  /** The status line and headers, '' when no answer came. */
  readonly head: string;
  readonly failed: boolean;
}

export interface RawSseHandlers {
  /** Every byte of a 200 answer's body, as it arrives (chunked transfer framing included). */
  body(chunk: Buffer): void;
  /** Once: the answer was not 200, the socket failed, or it closed. The socket is destroyed by then. */
  end(end: RawSseEnd): void;
}

/** Opens one SSE stream on a raw socket; the answer's head is read here, its body handed on. */
export function openRawSse(target: RawSseTarget, on: RawSseHandlers): Socket {
  const socket = connect({ host: '127.0.0.1', port: target.port, localAddress: target.localAddress });
  let head: Buffer = Buffer.alloc(0);
  let status = 0;
  let headText = '';
  let ended = false;
  const end = (failed: boolean): void => {
    if (ended) return;
    ended = true;
    socket.destroy();
    on.end({ status, head: headText, failed });
  };
  socket.setNoDelay(true);
  socket.on('error', () => end(true));
  socket.on('close', () => end(false));
  socket.on('connect', () => {
    const resume = target.lastEventId ? `Last-Event-ID: ${target.lastEventId}\r\n` : '';
    socket.write(`GET ${target.path} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nAccept: text/event-stream\r\n${resume}\r\n`);
  });
  socket.on('data', (chunk: Buffer) => {
    if (status === 200) return on.body(chunk);
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const at = head.indexOf(HEAD_END);
    if (at === -1) {
      if (head.length > MAX_PENDING_BYTES) end(true);
      return;
    }
    headText = head.subarray(0, at).toString('latin1');
    status = Number(headText.slice(9, 12));
    if (status !== 200) return end(false);
    const rest = head.subarray(at + HEAD_END.length);
    head = Buffer.alloc(0);
    if (rest.length > 0) on.body(rest);
  });
  return socket;
}

/** The SSE fields a resuming client acts on. */
export interface SseFieldHandlers {
  id(id: string): void;
  /** `retry:` in ms (0 or not a number: ignored). */
  retry(ms: number): void;
  hello(): void;
  mark(mark: number): void;
}

/**
 * A body reader that splits a stream into lines and acts on the fields a
 * resuming client needs. Chunked transfer framing is left to fall out: its
 * size lines are no field this reader uses.
 */
export function sseFields(on: SseFieldHandlers): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return (chunk) => {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('id: ')) on.id(line.slice(4));
      else if (line.startsWith('retry: ')) {
        const ms = Number(line.slice(7));
        if (ms) on.retry(ms);
      } else if (line.startsWith('event: hello')) on.hello();
      else if (line.startsWith('data: ')) {
        const at = line.indexOf(MARK_TEXT);
        if (at !== -1) on.mark(Number.parseInt(line.slice(at + MARK_TEXT.length), 10));
      }
    }
  };
}

/**
 * Opens a stream and resolves with its socket at the hello, or undefined if
 * it was refused, broke or timed out before. From then on `body` gets its
 * bytes, and a failure is the reader's to notice (a mark that never comes).
 */
export function openUntilHello(target: RawSseTarget, timeoutMs: number, body: (chunk: Buffer) => void): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    let pending: Buffer = Buffer.alloc(0);
    let open = false;
    const socket = openRawSse(target, {
      body(chunk) {
        if (open) return body(chunk);
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        if (pending.indexOf(HELLO) === -1) {
          if (pending.length > MAX_PENDING_BYTES) socket.destroy();
          return;
        }
        open = true;
        pending = Buffer.alloc(0);
        socket.setTimeout(0);
        resolve(socket);
      },
      end() {
        if (!open) resolve(undefined);
      },
    });
    socket.setTimeout(timeoutMs, () => socket.destroy());
  });
}

/** Each mark in `chunk`, in order. */
function eachMark(chunk: Buffer, visit: (mark: number) => void): void {
  for (let index = chunk.indexOf(MARK); index !== -1; index = chunk.indexOf(MARK, index + MARK.length)) {
    let value = 0;
    for (let i = index + MARK.length; i < chunk.length; i++) {
      const digit = chunk[i]! - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    visit(value);
  }
}

/** Which marks one resuming client read (1 = once); index = mark. */
export interface MarkLedger {
  readonly read: Uint8Array;
  /** Every mark up to this one was read. */
  contiguous: number;
  doubled: number;
}

/**
 * The marks every resuming client read, from the first event on: doubles
 * counted as they arrive, holes at the end, and a wait until every client
 * holds every mark up to one.
 */
export class MarkBook {
  readonly #maxMarks: number;
  #ledgers: MarkLedger[] = [];
  #waiting: { through: number; resolve: () => void } | undefined;
  #caught = 0;

  /** `maxMarks` bounds what a client records (one byte a mark), so a long run cannot grow without end. */
  constructor(maxMarks: number) {
    this.#maxMarks = maxMarks;
  }

  get clients(): number {
    return this.#ledgers.length;
  }

  /** A ledger for one more client. */
  add(): MarkLedger {
    const ledger: MarkLedger = { read: new Uint8Array(this.#maxMarks), contiguous: 0, doubled: 0 };
    this.#ledgers.push(ledger);
    return ledger;
  }

  record(ledger: MarkLedger, mark: number): void {
    if (!(mark > 0 && mark < this.#maxMarks)) return;
    if (ledger.read[mark]) {
      ledger.doubled += 1;
      return;
    }
    ledger.read[mark] = 1;
    const before = ledger.contiguous;
    while (ledger.read[ledger.contiguous + 1]) ledger.contiguous += 1;
    const waiting = this.#waiting;
    if (waiting && before < waiting.through && ledger.contiguous >= waiting.through) {
      this.#caught += 1;
      if (this.#caught === this.#ledgers.length) waiting.resolve();
    }
  }

  /** Waits until every client read every mark up to `through`, or `timeoutMs`; resolves with how many did. */
  async caughtUp(through: number, timeoutMs: number): Promise<number> {
    this.#caught = this.#ledgers.filter((ledger) => ledger.contiguous >= through).length;
    if (this.#caught < this.#ledgers.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#waiting = {
          through,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
      this.#waiting = undefined;
    }
    return this.#caught;
  }

  /** Marks up to `through` some client never read, summed over clients. */
  lost(through: number): number {
    let lost = 0;
    for (const ledger of this.#ledgers) for (let mark = 1; mark <= through; mark++) if (!ledger.read[mark]) lost += 1;
    return lost;
  }

  doubled(): number {
    return this.#ledgers.reduce((sum, ledger) => sum + ledger.doubled, 0);
  }

  clear(): void {
    this.#ledgers = [];
  }
}

/** When one client read each armed mark (slot = mark - first; 0 while not seen). */
export interface Arrivals {
  arrivals: Float64Array;
  seen: number;
  doubled: number;
}

/**
 * The arrival times of a window of marks ("armed" before they are
 * published), per client, and a wait until every client read them all.
 * Marks outside the window are ignored.
 */
export class ArrivalLog {
  readonly #clients: () => readonly Arrivals[];
  #first = 0;
  #count = 0;
  #complete = 0;
  #onComplete: (() => void) | undefined;

  /** `clients`: the clients to wait for, as they are when asked. */
  constructor(clients: () => readonly Arrivals[]) {
    this.#clients = clients;
  }

  get count(): number {
    return this.#count;
  }

  arm(first: number, count: number): void {
    this.#first = first;
    this.#count = count;
    this.#complete = 0;
    for (const client of this.#clients()) {
      client.arrivals = new Float64Array(count);
      client.seen = 0;
    }
  }

  /** Records the armed marks in a chunk of `client`'s stream, at the time it arrived. */
  record(client: Arrivals, chunk: Buffer): void {
    if (this.#count === 0) return;
    const at = now();
    eachMark(chunk, (mark) => {
      const slot = mark - this.#first;
      if (slot < 0 || slot >= this.#count) return;
      if (client.arrivals[slot] !== 0) {
        client.doubled += 1;
        return;
      }
      client.arrivals[slot] = at;
      client.seen += 1;
      if (client.seen === this.#count) {
        this.#complete += 1;
        if (this.#complete === this.#clients().length) this.#onComplete?.();
      }
    });
  }

  /** Waits until every client read every armed mark, or `timeoutMs`. */
  async complete(timeoutMs: number): Promise<void> {
    if (this.#complete >= this.#clients().length) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#onComplete = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#onComplete = undefined;
  }

  disarm(): void {
    this.#first = 0;
    this.#count = 0;
  }
}

/**
 * Opens `count` clients in waves of `wave`, each wave awaited before the next:
 * a storm's first opening is not what is measured, and 10,000 connects at
 * once would overflow the listen backlog. `open(index)` resolves at its hello.
 */
export async function openInWaves(count: number, open: (index: number) => Promise<void>, wave = 500): Promise<void> {
  for (let done = 0; done < count; done += wave) {
    await Promise.all(Array.from({ length: Math.min(wave, count - done) }, (_, k) => open(done + k)));
  }
}
