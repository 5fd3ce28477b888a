import type { CometError } from '../errors/comet-error.js';
import { isHttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { advice } from '../dev.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { StreamTimeoutError } from '../errors/stream-timeout-error.js';
import { formatCursor, parseCursor } from '../protocol/cursor.js';
import type { HelloFrame, PositionedEvent, PositionedGap } from '../protocol/messages.js';
import { isAtOrBefore, type Position } from '../protocol/position.js';
import type { TransportName } from '../protocol/transport-name.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { diagnoseRefusal } from '../transports/load-diagnose-refusal.js';
import type { Transport, TransportConnection, TransportSink } from '../transports/transport.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Deadline, heartbeatDeadlineMs } from './deadline.js';
import { resolveToken, type TokenSource } from './token-source.js';
import { TransportLadder, type LadderOptions, type TransportDecision } from './transport-ladder.js';

/**
 * - `idle`: no channel subscribed, nothing open.
 * - `connecting`: the first stream is opening.
 * - `open`: the server said hello; events flow.
 * - `reconnecting`: the stream broke; waiting or re-opening from the cursor.
 * - `closed`: closed by the owner, or stopped by an error retrying cannot fix.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export type { TokenSource } from './token-source.js';

export interface UpstreamOptions {
  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  readonly url: string;
  readonly token?: TokenSource;
  readonly withCredentials: boolean;
  /** In order of preference; the ladder starts at the first supported one and steps down on trouble. */
  readonly transports: readonly Transport[];
  /** Tuning of the transport ladder: memory TTL, re-probe delay, strikes. */
  readonly ladder?: LadderOptions;
  readonly reconnect?: BackoffOptions;
  /**
   * How long to wait for the server's hello (ms). This and the other two
   * plain values are required: their defaults are the client options'
   * (src/hub/client-options.ts), which the hub fills in, so that no layer
   * restates them.
   */
  readonly helloTimeoutMs: number;
  /** Subscription changes within this window (ms) re-open the stream once. */
  readonly batchDelayMs: number;
}

export interface UpstreamListener {
  /** Each event once, with the position its transport parsed from its id. */
  event(event: PositionedEvent): void;
  gap(gap: PositionedGap): void;
  state(state: ConnectionState, previous: ConnectionState, error: CometError | undefined): void;
  /** Something went wrong that cometkit is handling (it retries); for logs and status displays. */
  error(error: CometError): void;
  /** The transport ladder decided something (a start, a downgrade, a probe); for debugging. */
  decision?(decision: TransportDecision): void;
  /** The stream said hello: it carries `channels` from `positions` on, including those without an event yet. */
  hello?(channels: readonly string[]): void;
}


/**
 * One upstream connection: the channel set, a position per channel, the
 * transport, reconnection and liveness. It does not know about tabs or
 * subscribers; whoever hosts it (a page, a SharedWorker, a leader tab) fans
 * its events out.
 *
 * Every event is delivered at most once: its position is compared with the
 * channel's last one, so a replay after a reconnect or a stream re-opened
 * for a new channel set never doubles an event, and since the stream always
 * resumes from those positions, none is lost.
 */
export class Upstream {
  #state: ConnectionState = 'idle';
  #channels = new Set<string>();
  readonly #positions = new Map<string, Position>();
  #connection: TransportConnection | undefined;
  #transport: Transport | undefined;
  /** Increments per opened stream; callbacks of an older stream are dropped. */
  #generation = 0;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Until when the server asked not to be tried again (its Retry-After); a wake-up does not cut that short. */
  #notBefore = 0;
  #heartbeatMs = 0;
  /** Whether the current stream said hello: its deadline is the hello's, not the heartbeat's, until then. */
  #helloSeen = false;
  #tokenRetried = false;
  readonly #ladder: TransportLadder;
  readonly #backoff: Backoff;
  readonly #deadline: Deadline;
  readonly #options: UpstreamOptions;
  readonly #listener: UpstreamListener;

  constructor(options: UpstreamOptions, listener: UpstreamListener) {
    this.#options = options;
    this.#listener = listener;
    this.#backoff = new Backoff(options.reconnect);
    this.#deadline = new Deadline(() => this.#expired());
    this.#ladder = new TransportLadder(options.transports, pushOrigin(options.url), options.ladder ?? {}, {
      helloTimeoutMs: options.helloTimeoutMs,
      openProbe: (transport, sink) => this.#openProbe(transport, sink),
      switchNow: () => this.#switchTransport(),
      decision: (decision) => listener.decision?.(decision),
    });
  }

  /** Every decision of the transport ladder so far (the last 100), oldest first. */
  get decisions(): readonly TransportDecision[] {
    return this.#ladder.decisions;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The transport of the current stream, if any. */
  get transport(): TransportName | undefined {
    return this.#transport?.name;
  }

  /** Where each channel stands: the last event received, or where the stream started it. */
  get positions(): ReadonlyMap<string, Position> {
    return this.#positions;
  }

  /** Positions to resume from, as handed over by a previous hub. */
  restorePositions(positions: ReadonlyMap<string, Position>): void {
    for (const [channel, position] of positions) this.#positions.set(channel, position);
  }

  /**
   * Moves channels back to positions a tab reported (it is behind the
   * stream, or holds a channel the stream has no position for yet); the
   * stream re-opens from them. The current stream stops counting at once:
   * an event it read after this call would move the channel past the
   * reported position, and the events in between would never be replayed.
   */
  rewind(positions: ReadonlyMap<string, Position>): void {
    this.restorePositions(positions);
    if (this.#state === 'closed' || this.#connection === undefined) return;
    this.#drop();
    clearTimeout(this.#reopenTimer);
    // Batched like a channel change: after a handover every tab says hello at once.
    this.#reopenTimer = setTimeout(() => this.#reopen(), this.#options.batchDelayMs);
  }

  /** Replaces the channel set; the stream is re-opened once for a burst of changes. */
  setChannels(channels: Iterable<string>): void {
    if (this.#state === 'closed') return;
    const next = new Set(channels);
    if (next.size === this.#channels.size && [...next].every((c) => this.#channels.has(c))) return;
    this.#channels = next;
    // A channel dropped and later re-added starts from "now", like any new subscription.
    for (const channel of [...this.#positions.keys()]) if (!next.has(channel)) this.#positions.delete(channel);
    clearTimeout(this.#reopenTimer);
    // No channel left (the last tab went, perhaps into the back/forward cache): close now. A SharedWorker
    // whose pages are all cached may be suspended before a timer fires, and its stream would stay open.
    if (next.size === 0) {
      this.#reopen();
      return;
    }
    this.#reopenTimer = setTimeout(() => this.#reopen(), this.#options.batchDelayMs);
  }

  /**
   * Reconnects soon if waiting to retry (the browser came back online, the
   * laptop woke up): within a second, drawn at random, since every client
   * on that network or of that server wakes at once too
   * (socket.io-client#271); never before the server's Retry-After.
   */
  retryNow(): void {
    this.#deadline.check();
    if (this.#retryTimer === undefined || Date.now() < this.#notBefore) return;
    this.#retryIn(Math.random() * 1000);
  }

  #retryIn(ms: number): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#open();
    }, ms);
  }

  close(): void {
    this.#stop();
    this.#ladder.stop();
    this.#setState('closed');
  }

  #stop(): void {
    clearTimeout(this.#reopenTimer);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#deadline.clear();
    this.#drop();
    this.#ladder.idle();
  }

  /** Forgets the stream: whatever its sink still hears is from an old generation and ignored. */
  #drop(): void {
    this.#generation += 1;
    this.#connection?.close();
    this.#connection = undefined;
  }

  #reopen(): void {
    if (this.#state === 'closed') return;
    this.#stop();
    if (this.#channels.size === 0) {
      this.#setState('idle');
      return;
    }
    // Changing channels on a healthy connection is not a loss of connection.
    if (this.#state === 'idle') this.#setState('connecting');
    void this.#open();
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    const transport = this.#ladder.current;
    if (!transport) {
      this.#fail(new NetworkError('No transport is supported in this environment.'));
      return;
    }
    let token: string | undefined;
    try {
      token = await this.#token();
    } catch (cause) {
      if (generation !== this.#generation) return;
      // The token route often sits beside the push server (`{url}/dev-token`), so a wrong `url` or a refused origin
      // breaks both: the push server is asked too (no channels, so no stream), and any answer but that refusal names the cause.
      const probe = await diagnoseRefusal(`${this.#options.url}/sse`, this.#options.withCredentials);
      if (generation === this.#generation) this.#broken(probe.code == 'no-channels' ? new NetworkError('The token provider failed; retrying.', { cause }) : probe);
      return;
    }
    if (generation !== this.#generation) return;
    this.#transport = transport;
    this.#helloSeen = false;
    this.#ladder.opening();
    const channels = [...this.#channels];
    this.#connection = transport.open(
      {
        url: this.#options.url,
        channels,
        cursor: formatCursor(this.#positions),
        token,
        withCredentials: this.#options.withCredentials,
      },
      this.#sink(generation, channels),
    );
    this.#deadline.arm(this.#options.helloTimeoutMs);
  }

  #token(): Promise<string | undefined> {
    return resolveToken(this.#options.token);
  }

  #sink(generation: number, channels: readonly string[]): TransportSink {
    const current = (): boolean => generation === this.#generation;
    return {
      hello: (frame) => current() && this.#hello(frame, channels),
      event: (event) => {
        if (!current()) return;
        this.#armHeartbeatDeadline();
        this.#event(event);
        if (current() && this.#ladder.event(event.time, Date.now())) this.#switchTransport();
      },
      gap: (frame) => {
        if (!current()) return;
        this.#positions.set(frame.channel, frame.position);
        this.#listener.gap(frame);
      },
      heartbeat: (frame) => {
        if (!current()) return;
        if (this.#ladder.heartbeat(frame, Date.now())) {
          this.#switchTransport();
          return;
        }
        this.#armHeartbeatDeadline();
      },
      // The server is draining and said when to come back: a quiet resume, not a break. No error,
      // no strike against the transport, no backoff step, and no change of state (a stream that was
      // open stays `open` while it waits its turn, as over a change of channels). The server spread
      // its clients over its window: its delay is kept to, and a wake-up does not cut it short.
      reconnect: (afterMs) => {
        if (!current()) return;
        this.#drop();
        this.#deadline.clear();
        this.#ladder.idle();
        this.#notBefore = Date.now() + afterMs;
        this.#retryIn(afterMs);
      },
      closed: (error) => {
        if (!current()) return;
        this.#connection = undefined;
        if (countsAgainstTransport(error)) this.#ladder.ended(Date.now());
        this.#broken(error ?? new NetworkError('The server ended the stream.'));
      },
    };
  }

  #hello(frame: HelloFrame, channels: readonly string[]): void {
    if (frame.v !== PROTOCOL_VERSION) {
      this.#fail(new ProtocolError(`The server speaks protocol v${frame.v}; this client speaks v${PROTOCOL_VERSION}.${advice('Upgrade one of them.')}`));
      return;
    }
    // Channels never seen before start where the server started them, so a
    // break before their first event resumes from here rather than from "now".
    const start = parseCursor(frame.cursor);
    if (start) {
      for (const [channel, position] of start) {
        if (this.#channels.has(channel) && !this.#positions.has(channel)) this.#positions.set(channel, position);
      }
    }
    this.#heartbeatMs = frame.heartbeat;
    this.#helloSeen = true;
    this.#ladder.hello(frame, Date.now());
    this.#backoff.reset();
    this.#tokenRetried = false;
    this.#armHeartbeatDeadline();
    this.#setState('open');
    this.#listener.hello?.(channels);
  }

  #event(event: PositionedEvent): void {
    if (!this.#channels.has(event.channel)) return;
    const { position } = event;
    const current = this.#positions.get(event.channel);
    if (current && isAtOrBefore(position, current)) return;
    this.#positions.set(event.channel, position);
    this.#listener.event(event);
  }

  #armHeartbeatDeadline(): void {
    if (this.#heartbeatMs > 0) this.#deadline.arm(heartbeatDeadlineMs(this.#heartbeatMs));
  }

  #expired(): void {
    const waited = this.#helloSeen ? 'heartbeat' : 'hello';
    const ms = waited === 'hello' ? this.#options.helloTimeoutMs : heartbeatDeadlineMs(this.#heartbeatMs);
    this.#drop();
    const error = new StreamTimeoutError(waited, ms);
    // A missing hello is the mark of a buffering proxy: the next transport is tried at once.
    if (waited === 'hello' ? this.#ladder.helloTimeout(ms) : false) {
      this.#listener.error(error);
      void this.#open();
      return;
    }
    if (waited === 'heartbeat') this.#ladder.ended(Date.now());
    this.#broken(error);
  }

  /** The ladder chose another transport: the stream moves to it now, from the cursor. */
  #switchTransport(): void {
    if (this.#state === 'closed' || this.#channels.size === 0) return;
    this.#deadline.clear();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#drop();
    void this.#open();
  }

  /** A stream for the ladder's background probe: same channels, cursor and token as the real one. */
  async #openProbe(transport: Transport, sink: TransportSink): Promise<TransportConnection | undefined> {
    if (this.#state !== 'open' || this.#channels.size === 0) return undefined;
    let token: string | undefined;
    try {
      token = await this.#token();
    } catch {
      return undefined;
    }
    if (this.#state !== 'open') return undefined;
    return transport.open(
      { url: this.#options.url, channels: [...this.#channels], cursor: formatCursor(this.#positions), token, withCredentials: this.#options.withCredentials },
      sink,
    );
  }

  /** The stream ended: retry with backoff, unless retrying cannot help. */
  #broken(error: CometError): void {
    this.#deadline.clear();
    if (isHttpStatusError(error) && !error.retryable) {
      // A token provider may hand out a fresh token: one immediate retry with it.
      if (error.status === 401 && typeof this.#options.token === 'function' && !this.#tokenRetried) {
        this.#tokenRetried = true;
        this.#listener.error(error);
        void this.#open();
        return;
      }
      this.#fail(error);
      return;
    }
    this.#listener.error(error);
    this.#setState(this.#state === 'connecting' ? 'connecting' : 'reconnecting', error);
    // A server that says when to come back (admission, a drain) has spread its clients over
    // time already: its delay, plus up to a second, since Retry-After counts whole seconds.
    const asked = isHttpStatusError(error) ? error.retryAfterMs : undefined;
    const wait = asked === undefined ? this.#backoff.next() : asked + Math.random() * 1000;
    this.#notBefore = asked === undefined ? 0 : Date.now() + asked;
    this.#retryIn(wait);
  }

  #fail(error: CometError): void {
    this.#stop();
    this.#setState('closed', error);
    // Why it stopped for good is an error as much as a state: pages listening to `error` alone learn it too.
    this.#listener.error(error);
  }

  #setState(state: ConnectionState, error?: CometError): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#listener.state(state, previous, error);
  }
}

/**
 * Whether a stream's end is a strike against its transport on the ladder.
 * A refusal in the push server's own words (`broker-unavailable`,
 * `server-busy`, `too-many-streams`…) proves the transport reached the
 * server, as does any refusal retrying cannot fix: stepping down would not
 * help. Nor does a server that could not be reached (`unreachable`: down,
 * or a wrong URL). A drop, a bare status (a proxy's page) or a rewritten
 * content type may be the path, and counts.
 */
function countsAgainstTransport(error: CometError | undefined): boolean {
  // No server answered at all: every transport would have met the same silence.
  if (error?.code === 'unreachable') return false;
  if (!isHttpStatusError(error)) return true;
  return error.retryable && (error.code === 'http-error' || error.code === 'bad-content-type');
}

/** The origin a transport choice is remembered for. */
function pushOrigin(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).origin;
  } catch {
    return url;
  }
}
