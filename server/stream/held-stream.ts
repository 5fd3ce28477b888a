import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { TransportName } from '../../src/protocol/transport-name.js';
import { MAX_TIMER_MS, tokenExpired } from '../auth/token-expiry.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry, OpenStream } from './connections.js';
import type { Fanout, Membership, StreamWriter } from './fanout.js';
import type { StreamFormat } from './stream-format.js';
import type { StreamRequest } from './stream-request.js';

/**
 * The life of a held streaming response, shared by SSE and the iframe: it
 * is tracked for stats and targeted disconnects, fed and beaten by the
 * fan-out, and is cut when the reader stops reading (rather than buffered without
 * end) or goes away.
 *
 * A stream opened with a token that expires ends when the token would no
 * longer be accepted, with the format's `token-expired` frame: nothing is
 * written after that instant, so an event published later never reaches a
 * bearer whose access has ended. The client resumes with a fresh token.
 *
 * Nothing is sent until the stream has read its history and says hello:
 * a stream that cannot start (the event store is unreachable) is refused
 * with the store's error (`503 broker-unavailable`) by the route, as a
 * publish is, rather than answered 200 and cut — which a client would
 * take for a proxy that kills streams, and step down its transports.
 */
export async function holdStream(
  req: IncomingMessage,
  res: ServerResponse,
  request: StreamRequest,
  format: StreamFormat,
  response: { readonly headers: OutgoingHttpHeaders; readonly preamble?: string },
  deps: { fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry },
): Promise<void> {
  const stream = new HeldStream(res, request, format, deps);
  deps.connections.add(stream);
  // Only once it is tracked: a stream refused by a limit never writes, and keeps no timer.
  stream.watchExpiry();
  // One bound function per stream, not a closure over this call: what a held stream keeps is only what it needs.
  const close = stream.close.bind(stream);
  req.on('close', close);
  res.on('error', close);
  stream.headOnFirstWrite(response.headers, response.preamble);

  const joined = deps.fanout.join(request.channels, request.cursor, format, stream, {
    written: response.preamble ? Buffer.byteLength(response.preamble) : 0,
  });
  stream.joined(joined.membership);
  try {
    await joined.started;
  } catch (error) {
    stream.abandon();
    throw error;
  }
  // A start that reached a draining server (on a connection it accepted before) has its hello and
  // replay, and is sent on its way like the streams that were open when the drain began.
  if (deps.connections.draining) stream.reconnect(deps.connections.reconnectDelay());
}

/**
 * One held response, as the fan-out writes to it and the registry counts
 * it. Ten thousand of these live at once, so it is a plain object with its
 * methods on the prototype: no closures or contexts per stream.
 */
class HeldStream implements StreamWriter, OpenStream {
  closed = false;
  readonly transport: TransportName;
  readonly #format: StreamFormat;
  readonly #validUntil: number | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  readonly channels: readonly string[];
  readonly user: string | undefined;
  readonly client: string | undefined;
  readonly #res: ServerResponse;
  readonly #maxBufferedBytes: number;
  readonly #fanout: Fanout;
  readonly #connections: ConnectionRegistry;
  #membership: Membership | undefined;
  /** The status line, headers and preamble, sent with the first frame (the hello). */
  #head: { readonly headers: OutgoingHttpHeaders; readonly preamble: string | undefined } | undefined;

  constructor(res: ServerResponse, request: StreamRequest, format: StreamFormat, deps: { fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry }) {
    this.transport = format.transport;
    this.#format = format;
    this.#validUntil = request.validUntil;
    this.channels = request.channels;
    this.user = request.user?.sub;
    this.client = request.client;
    this.#res = res;
    this.#maxBufferedBytes = deps.options.maxBufferedBytes;
    this.#fanout = deps.fanout;
    this.#connections = deps.connections;
  }

  /** The stream's place in the fan-out; left at once when it closed while joining. */
  joined(membership: Membership): void {
    this.#membership = membership;
    if (this.closed) this.#fanout.leave(membership);
  }

  headOnFirstWrite(headers: OutgoingHttpHeaders, preamble: string | undefined): void {
    this.#head = { headers, preamble };
  }

  write(chunk: string | Buffer): void {
    if (this.closed) return;
    // The timer may run late on a busy loop: what would be written past the expiry is not.
    if (this.#validUntil !== undefined && Date.now() >= this.#validUntil) {
      this.expire();
      return;
    }
    this.#send(chunk);
  }

  #send(chunk: string | Buffer): void {
    const head = this.#head;
    if (head) {
      this.#head = undefined;
      this.#res.writeHead(200, head.headers);
      if (head.preamble) this.#res.write(head.preamble);
    }
    this.#res.write(chunk);
    if (this.#res.writableLength > this.#maxBufferedBytes) this.close();
  }

  close(): void {
    if (this.#stop()) this.#res.end();
  }

  /** The token ended: says so in the stream's own format, then ends it. */
  expire(): void {
    if (this.closed) return;
    if (this.#validUntil !== undefined && Date.now() < this.#validUntil) {
      this.watchExpiry();
      return;
    }
    const error = tokenExpired();
    this.#send(this.#format.tokenExpired({ status: error.status, code: error.code, message: error.message }));
    this.close();
  }

  /**
   * The server is draining: the stream's last frame tells the client when
   * to come back. One that has not said hello yet is left to `holdStream`,
   * which sends it on its way once it has.
   */
  reconnect(afterMs: number): void {
    if (this.closed || this.#head) return;
    this.#send(this.#format.reconnect({ after: afterMs, reason: 'drain' }));
    this.close();
  }

  /** Ends the stream when its token ends, if it has an `exp`. */
  watchExpiry(): void {
    if (this.#validUntil === undefined || this.closed) return;
    this.#expiry = setTimeout(this.expire.bind(this), Math.min(MAX_TIMER_MS, Math.max(0, this.#validUntil - Date.now())));
  }

  /** Stops a stream that could not start; a response not yet sent is left to the route, which refuses it. */
  abandon(): void {
    if (this.#stop() && !this.#head) this.#res.end();
  }

  /** False when it was already stopped. */
  #stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    clearTimeout(this.#expiry);
    if (this.#membership) this.#fanout.leave(this.#membership);
    this.#connections.remove(this);
    return true;
  }
}
