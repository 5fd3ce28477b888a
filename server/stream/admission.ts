import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatusError } from '../http/http-error.js';
import { NOSNIFF } from '../http/nosniff.js';

export interface AdmissionOptions {
  /** Streams (SSE, iframe, long-poll requests) started per second; past it, the rest are told when to come back. */
  readonly perSecond: number;
  /** The latest a refused client is asked to come back (ms). */
  readonly maxDelayMs: number;
}

/**
 * Admission of stream starts at a steady rate. When every client of a
 * process comes back at once (it restarted, or a proxy dropped them all),
 * taking them all in one go makes each wait for all the others: the
 * event loop, the store and the kernel's accept queue fill up, and
 * handshakes time out and are retried in waves. Past `perSecond`, each
 * start is answered at once with a time to come back instead: the next
 * free slot at that rate, so the crowd returns spread over as long as its
 * size needs (and no longer), jittered within its slot.
 *
 * A bare EventSource gives up on any status but 200: one that reconnects by
 * itself (it sends Last-Event-ID, which the SDK never does) is answered 200
 * with only a `retry:` field and the end of the stream, and comes back
 * after that delay from where it stood. Every other client gets
 * `503 server-busy` with `Retry-After`.
 */
export class Admission {
  readonly #perSecond: number;
  readonly #maxDelayMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  #tokens: number;
  #refilled: number;
  /** When the last slot handed out falls (ms since the epoch). */
  #nextSlot = 0;
  /** Starts refused so far: for the metrics. */
  refused = 0;

  constructor(options: AdmissionOptions, now: () => number = Date.now, random: () => number = Math.random) {
    this.#perSecond = options.perSecond;
    this.#maxDelayMs = options.maxDelayMs;
    this.#now = now;
    this.#random = random;
    this.#tokens = options.perSecond;
    this.#refilled = now();
  }

  /** Undefined when the start may go ahead; otherwise how long to wait before coming back (ms). */
  admit(): number | undefined {
    const now = this.#now();
    this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#refilled) * this.#perSecond) / 1000);
    this.#refilled = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return undefined;
    }
    this.refused += 1;
    const slot = 1000 / this.#perSecond;
    this.#nextSlot = Math.max(this.#nextSlot, now) + slot;
    const delay = Math.min(this.#maxDelayMs, this.#nextSlot - now);
    // Whole seconds is all Retry-After can say: the jitter spreads each second's crowd over it.
    return Math.max(1, Math.round(delay - this.#random() * Math.min(delay, 1000)));
  }
}

/** Answers a start refused for `delayMs`, as the request's client understands it. */
export function refuseStart(req: IncomingMessage, res: ServerResponse, path: string, delayMs: number): void {
  const lastEventId = req.headers['last-event-id'];
  if (path === '/sse' && typeof lastEventId === 'string' && lastEventId !== '') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', ...NOSNIFF });
    res.end(`retry: ${delayMs}\n\n`);
    return;
  }
  throw busyError(delayMs);
}

/** The refusal of a start past the admission rate, for clients that read a status. */
export function busyError(delayMs: number): HttpStatusError {
  return new HttpStatusError(503, 'server-busy', 'The server is taking streams at its admission rate; come back after Retry-After seconds.', {
    'Retry-After': String(Math.max(1, Math.ceil(delayMs / 1000))),
  });
}
