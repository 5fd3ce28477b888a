import type { CometEvent } from '../../src/protocol/messages.js';
import { formatPosition, positionBefore } from '../../src/protocol/position.js';
import { positioned } from '../broker/event-position.js';
import { iframeFormat } from '../stream/iframe-format.js';
import { sseFormat } from '../stream/sse-format.js';
import { MAX_TIMER_MS, tokenExpired } from '../auth/token-expiry.js';
import { beatChannel, expiryChannel, gripChannel } from './grip-channels.js';
import type { ResolvedGripOptions } from './grip-options.js';

interface GripItem {
  readonly channel: string;
  readonly id?: string;
  readonly 'prev-id'?: string;
  readonly formats: Record<string, unknown>;
}

/** Items per publish request: Pushpin refuses bodies over 1 MB by default. */
const ITEMS_PER_REQUEST = 300;

/**
 * Publishes events to the GRIP proxy, which writes them to the connections
 * it holds. Every item carries the event's position as `id` and the one
 * before it (`seq - 1`: the brokers' sequences grow by one per channel) as
 * `prev-id`: a connection whose last item is not that `prev-id` (an item
 * lost, a publish that failed, two processes' publishes that crossed) is
 * not written to; the proxy asks the server's next link for what it missed
 * instead (see grip-stream.ts), so a gap is filled from history, never
 * skipped. The position before is derived, not remembered, so any process
 * can publish the next event of a channel.
 *
 * Items leave in order, one request in flight, each request carrying
 * everything queued meanwhile.
 */
export class GripPublisher {
  readonly #options: ResolvedGripOptions;
  readonly #heartbeatMs: number;
  #queue: GripItem[] = [];
  #sending: Promise<void> | undefined;
  #beat: ReturnType<typeof setInterval> | undefined;
  #failures = 0;
  /**
   * Seconds at which held streams' tokens end: one number per distinct second (at most the
   * tokens' lifetime in seconds), and one timer, for the earliest.
   */
  readonly #expiries = new Set<number>();
  #nextExpiry = Number.POSITIVE_INFINITY;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ResolvedGripOptions, heartbeatMs: number) {
    this.#options = options;
    this.#heartbeatMs = heartbeatMs;
    // One beat per transport per interval, however many connections the proxy holds.
    this.#beat = setInterval(() => this.beat(Date.now()), heartbeatMs);
    this.#beat.unref();
  }

  /**
   * The GRIP channel a held stream whose token ends at `validUntil` also
   * follows. At that second the token-expired frame and a close are
   * published on it, so the proxy ends the stream as the server would
   * (held-stream.ts). Streams ending in the same second share the channel.
   */
  expiryChannel(transport: 'sse' | 'iframe', validUntil: number): string {
    const second = Math.floor(validUntil / 1000);
    this.#expiries.add(second);
    if (second < this.#nextExpiry) {
      this.#nextExpiry = second;
      this.#armExpiry();
    }
    return expiryChannel(this.#options.channelPrefix, transport, second);
  }

  /** Queues one event for every transport's GRIP channel. */
  event(event: CometEvent): void {
    // An expiry whose timer runs late is published first: items reach the proxy in order,
    // so no event published after a token's end reaches a stream held for it.
    if (this.#nextExpiry * 1000 <= Date.now()) this.#expireDue();
    // The broker's event comes with its position: `prev-id` is derived from it, not from the id's text.
    const position = positioned(event)?.position;
    if (!position) return;
    const prefix = this.#options.channelPrefix;
    // The SDK keeps its own whole cursor; an item's id can only name its own channel's position
    // (every connection of the channel receives the same bytes). See PROTOCOL.md, "Through a GRIP proxy".
    const cursor = `${event.channel}=${event.id}`;
    const ids = { id: event.id, 'prev-id': formatPosition(positionBefore(position)) };
    this.#enqueue(
      { channel: gripChannel(prefix, 'sse', event.channel), ...ids, formats: { 'http-stream': { content: sseFormat.event(event, cursor) } } },
      { channel: gripChannel(prefix, 'iframe', event.channel), ...ids, formats: { 'http-stream': { content: iframeFrames.event(event, cursor) } } },
      // A held poll is answered by asking the server again: its answer carries the poll's whole cursor.
      { channel: gripChannel(prefix, 'long-poll', event.channel), ...ids, formats: { 'http-response': { action: 'hint' } } },
    );
  }

  /**
   * Ends the connections the proxy holds for `channel` (on every streaming
   * transport), or all of them: every stream also follows its transport's
   * beat channel. Clients resume from their cursors, through the proxy.
   */
  disconnect(channel?: string): void {
    const prefix = this.#options.channelPrefix;
    const close = { 'http-stream': { action: 'close' } };
    const targets =
      channel === undefined
        ? [beatChannel(prefix, 'sse'), beatChannel(prefix, 'iframe')]
        : [gripChannel(prefix, 'sse', channel), gripChannel(prefix, 'iframe', channel)];
    this.#enqueue(...targets.map((name) => ({ channel: name, formats: close })));
  }

  beat(time: number): void {
    const prefix = this.#options.channelPrefix;
    this.#enqueue(
      { channel: beatChannel(prefix, 'sse'), formats: { 'http-stream': { content: sseFormat.heartbeat(time) } } },
      { channel: beatChannel(prefix, 'iframe'), formats: { 'http-stream': { content: iframeFrames.heartbeat(time) } } },
    );
  }

  get heartbeatMs(): number {
    return this.#heartbeatMs;
  }

  /**
   * This process is draining. The streams the proxy holds survive it, but
   * the ends of their tokens are this process's timers (`expiryChannel`):
   * the streams it minds are told to come back, each second's streams after
   * a delay drawn over `windowMs`, so a process that stays answers them and
   * minds their tokens from then on. Streams without a token stay open.
   * Resolves once the proxy has the items.
   */
  async drain(windowMs: number, random: () => number = Math.random): Promise<void> {
    // Tokens already ended get their refusal, not a reconnect.
    this.#expireDue();
    clearTimeout(this.#expiryTimer);
    const prefix = this.#options.channelPrefix;
    for (const second of this.#expiries) {
      const reconnect = { after: Math.floor(random() * windowMs), reason: 'drain' };
      this.#enqueue(
        { channel: expiryChannel(prefix, 'sse', second), formats: { 'http-stream': { content: sseFormat.reconnect(reconnect) } } },
        { channel: expiryChannel(prefix, 'sse', second), formats: { 'http-stream': { action: 'close' } } },
        { channel: expiryChannel(prefix, 'iframe', second), formats: { 'http-stream': { content: iframeFrames.reconnect(reconnect) } } },
        { channel: expiryChannel(prefix, 'iframe', second), formats: { 'http-stream': { action: 'close' } } },
      );
    }
    this.#expiries.clear();
    this.#nextExpiry = Number.POSITIVE_INFINITY;
    await this.flushed();
  }

  /** Resolves once everything queued has been sent (or failed). */
  async flushed(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  async close(): Promise<void> {
    clearInterval(this.#beat);
    clearTimeout(this.#expiryTimer);
    this.#expiries.clear();
    await this.flushed();
  }

  /** One timer, for the earliest second; one clamped to setTimeout's longest delay fires early and waits again. */
  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (this.#nextExpiry === Number.POSITIVE_INFINITY) return;
    this.#expiryTimer = setTimeout(() => this.#expireDue(), Math.min(MAX_TIMER_MS, Math.max(0, this.#nextExpiry * 1000 - Date.now())));
    this.#expiryTimer.unref();
  }

  #expireDue(): void {
    const now = Date.now();
    const prefix = this.#options.channelPrefix;
    const error = tokenExpired();
    const body = { status: error.status, code: error.code, message: error.message };
    for (const second of this.#expiries) {
      if (second * 1000 > now) continue;
      this.#expiries.delete(second);
      this.#enqueue(
        { channel: expiryChannel(prefix, 'sse', second), formats: { 'http-stream': { content: sseFormat.tokenExpired(body) } } },
        { channel: expiryChannel(prefix, 'sse', second), formats: { 'http-stream': { action: 'close' } } },
        { channel: expiryChannel(prefix, 'iframe', second), formats: { 'http-stream': { content: iframeFrames.tokenExpired(body) } } },
        { channel: expiryChannel(prefix, 'iframe', second), formats: { 'http-stream': { action: 'close' } } },
      );
    }
    this.#nextExpiry = Number.POSITIVE_INFINITY;
    for (const second of this.#expiries) this.#nextExpiry = Math.min(this.#nextExpiry, second);
    this.#armExpiry();
  }

  #enqueue(...items: GripItem[]): void {
    this.#queue.push(...items);
    this.#sending ??= this.#send();
  }

  async #send(): Promise<void> {
    // Lets the rest of this turn's publishes join the request.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const items = this.#queue.splice(0, ITEMS_PER_REQUEST);
      try {
        const response = await fetch(`${this.#options.controlUrl}/publish/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...this.#options.publishHeaders },
          body: JSON.stringify({ items }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`${response.status} ${text.slice(0, 200)}`);
        this.#failures = 0;
      } catch (error) {
        // Not retried: the next item's prev-id will not match, and the proxy fills the gap from history.
        this.#failures += 1;
        if (this.#failures === 1 || this.#failures % 100 === 0) {
          console.error(`cometkit server: publishing to the GRIP proxy failed (${this.#failures} in a row); its connections recover from history.`, error);
        }
      }
    }
    this.#sending = undefined;
  }
}

/** Event and beat frames do not depend on the document bound. */
const iframeFrames = iframeFormat(Number.POSITIVE_INFINITY);
