/**
 * One process of the load generator (bench/support/load-fleet.ts starts
 * several): raw-socket subscribers of one channel on loopback, as SSE
 * streams or long-polls, each from a source address of its own range of
 * 127.0.0.0/8 so no address runs out of ephemeral ports (each has ~28,000).
 *
 * Requests (IPC):
 * - `open` {port, channel, count, firstIndex, transport: 'sse' | 'long-poll',
 *   concurrency, perAddress}: connects `count` subscribers in bounded waves,
 *   retrying a refused or broken open at most 5 times; answers once every
 *   one got its hello (SSE) or its first poll answer;
 * - `arm` {first, count}: the marks to record from now on;
 * - `collect` {timeoutMs, sentAt}: waits until every subscriber read every
 *   armed mark (or the timeout), answers the latencies (arrival minus the
 *   mark's `sentAt`) as a histogram of whole milliseconds, the arrivals
 *   missing, and how many marks arrived twice;
 * - `close`: drops them all (no reconnect).
 *
 * Every event carries `"mark":N`; the SSE floor writes `{"mark":N}` too.
 */
import { connect, type Socket } from 'node:net';
import { serveRequests } from './child.js';
import { ArrivalLog, openUntilHello, sourceAddress, type Arrivals } from './raw-sse.js';

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_RETRIES = 5;
/** Bounds what one client buffers of an answer it has not finished reading. */
const MAX_PENDING_BYTES = 1 << 20;

type Transport = 'sse' | 'long-poll';

interface Subscriber extends Arrivals {
  readonly index: number;
  socket: Socket | undefined;
  /** Long-poll: the cursor of the last answer. */
  cursor: string;
}

const now = (): number => performance.timeOrigin + performance.now();
let subscribers: Subscriber[] = [];
const log = new ArrivalLog(() => subscribers);
let closing = false;
let port = 0;
let channel = '';
let perAddress = 1000;

/** An SSE stream: resolves true at its hello, false if it was refused or broke before. */
async function openStream(subscriber: Subscriber): Promise<boolean> {
  const target = { port, path: `/comet/sse?ch=${channel}`, localAddress: sourceAddress(subscriber.index, perAddress) };
  subscriber.socket = await openUntilHello(target, 60_000, (chunk) => log.record(subscriber, chunk));
  return subscriber.socket !== undefined;
}

/**
 * A long-poll subscriber on one keep-alive connection: the first poll
 * (`wait=0`) answers at once with the hello and cursor; every next poll is
 * held until an event follows the cursor, and sent again from the cursor of
 * each answer. Resolves true at the first answer.
 */
function openPoll(subscriber: Subscriber): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: sourceAddress(subscriber.index, perAddress) });
    socket.setNoDelay(true);
    subscriber.socket = socket;
    let pending: Buffer = Buffer.alloc(0);
    let first = true;
    const fail = (): void => {
      socket.destroy();
      if (first) resolve(false);
    };
    const ask = (): void => {
      const query = subscriber.cursor ? `&cursor=${encodeURIComponent(subscriber.cursor)}` : '&wait=0';
      socket.write(`GET /comet/poll?ch=${channel}${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    };
    socket.on('error', fail);
    socket.on('close', () => {
      if (first) resolve(false);
      else if (!closing) subscriber.socket = undefined;
    });
    socket.setTimeout(60_000, fail);
    socket.on('connect', ask);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (pending.length > MAX_PENDING_BYTES) return fail();
      for (;;) {
        const answer = takeAnswer(pending);
        if (!answer) return;
        pending = pending.subarray(answer.used);
        if (answer.status !== 200) return fail();
        const text = answer.body.toString();
        const cursor = /"cursor":"([^"]*)"/.exec(text.slice(text.lastIndexOf('"cursor":')));
        if (!cursor) return fail();
        subscriber.cursor = cursor[1]!;
        if (!first) log.record(subscriber, answer.body);
        if (first) {
          first = false;
          socket.setTimeout(0);
          resolve(true);
        }
        if (!closing) ask();
      }
    });
  });
}

/** One whole HTTP answer at the start of `data` (Content-Length or chunked), or undefined while it is incomplete. */
function takeAnswer(data: Buffer): { status: number; body: Buffer; used: number } | undefined {
  const end = data.indexOf(HEAD_END);
  if (end === -1) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    if (data.length < total) return undefined;
    return { status, body: data.subarray(end + 4, total), used: total };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { status, body: Buffer.alloc(0), used: end + 4 };
  const parts: Buffer[] = [];
  let at = end + 4;
  for (;;) {
    const line = data.indexOf('\r\n', at);
    if (line === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, line).toString('latin1'), 16);
    if (data.length < line + 2 + size + 2) return undefined;
    if (size === 0) return { status, body: Buffer.concat(parts), used: line + 4 };
    parts.push(data.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

// Orphaned (the bench or test that started us ended): drop everything rather than hold sockets with no one asking.
process.on('disconnect', () => process.exit(0));

serveRequests(async (message) => {
  switch (message.type) {
    case 'open': {
      port = Number(message['port']);
      channel = encodeURIComponent(String(message['channel']));
      perAddress = Number(message['perAddress'] ?? 1000);
      const count = Number(message['count']);
      const firstIndex = Number(message['firstIndex'] ?? 0);
      const transport = String(message['transport'] ?? 'sse') as Transport;
      if (transport !== 'sse' && transport !== 'long-poll') throw new Error(`transport is sse or long-poll, not ${transport}`);
      const wave = Number(message['concurrency'] ?? 250);
      const started = now();
      let retries = 0;
      let failed = 0;
      for (let done = 0; done < count; done += wave) {
        await Promise.all(
          Array.from({ length: Math.min(wave, count - done) }, async (_, k) => {
            const subscriber: Subscriber = { index: firstIndex + done + k, socket: undefined, arrivals: new Float64Array(0), seen: 0, doubled: 0, cursor: '' };
            for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
              if (attempt > 0) retries += 1;
              if (await (transport === 'sse' ? openStream(subscriber) : openPoll(subscriber))) {
                subscribers.push(subscriber);
                return;
              }
            }
            failed += 1;
          }),
        );
      }
      return { opened: subscribers.length, failed, retries, ms: now() - started };
    }
    case 'arm': {
      log.arm(Number(message['first']), Number(message['count']));
      return {};
    }
    case 'collect': {
      await log.complete(Number(message['timeoutMs']));
      // Latencies (arrival - the mark's send time, whole ms) as a histogram: 100,000 subscribers × 50 marks
      // would be 5 million numbers over IPC; a histogram is a few thousand and gives every percentile.
      const sentAt = message['sentAt'] as number[];
      const histogram: Record<number, number> = {};
      let missing = 0;
      for (const subscriber of subscribers) {
        for (let slot = 0; slot < log.count; slot++) {
          const at = subscriber.arrivals[slot]!;
          if (at === 0) {
            missing += 1;
            continue;
          }
          const ms = Math.max(0, Math.round(at - sentAt[slot]!));
          histogram[ms] = (histogram[ms] ?? 0) + 1;
        }
      }
      const doubled = subscribers.reduce((sum, subscriber) => sum + subscriber.doubled, 0);
      log.disarm();
      return { histogram, missing, doubled, subscribers: subscribers.length };
    }
    case 'close': {
      closing = true;
      for (const subscriber of subscribers) subscriber.socket?.destroy();
      subscribers = [];
      return {};
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
