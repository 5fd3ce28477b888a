import type { HeartbeatFrame, HelloFrame } from '../protocol/messages.js';
import type { TransportName } from '../protocol/transport-name.js';
import { isStreaming, type Transport, type TransportConnection, type TransportSink } from '../transports/transport.js';
import { BeatMonitor, EVENT_LATE_MIN_MS } from './beat-monitor.js';
import { Deadline, heartbeatDeadlineMs } from './deadline.js';
import type { DecisionReason, TransportDecision } from './ladder-decision.js';
import type { LadderOptions, LadderStorage } from './ladder-options.js';
import { PauseDetector } from './pause-detector.js';

export type { DecisionReason, LadderOptions, LadderStorage, TransportDecision };

/** What the ladder needs from the connection it steers. */
export interface LadderHost {
  /** Opens `transport` with the connection's current channels, cursor and token; undefined when there is nothing to open. */
  openProbe(transport: Transport, sink: TransportSink): Promise<TransportConnection | undefined>;
  /** Re-opens the stream on `ladder.current` at once, from the cursor. */
  switchNow(): void;
  readonly helloTimeoutMs: number;
  decision(decision: TransportDecision): void;
}

const STORAGE_PREFIX = 'cometkit:transport:';
/** [spec] ECMAScript time values reach ±8.64e15 ms; `toISOString()` throws beyond. */
const MAX_DATE_MS = 8.64e15;
/** Healthy beats a probe must show after its hello before the ladder switches back. */
const PROBE_BEATS = 2;

/** Downgrades for these reasons describe the network path, so they are worth remembering. */
const PATH_REASONS: ReadonlySet<DecisionReason> = new Set(['hello-timeout', 'heartbeats-late', 'heartbeats-bunched', 'events-late', 'early-closes']);

function defaultStorage(): LadderStorage | null {
  try {
    // Access itself throws in sandboxed frames and with storage blocked; a worker has none.
    const storage = globalThis.localStorage;
    return storage ?? null;
  } catch {
    return null;
  }
}

/** Hidden tabs may be frozen and their queued network tasks run late together: no evidence then. */
function pageHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/**
 * Picks the transport for one push origin and moves along the configured
 * order (SSE, iframe, long-poll by default) when a transport shows the
 * marks of a buffering or cutting proxy: no hello in time, late or bunched
 * heartbeats, streams that keep ending right after they open.
 *
 * A downgrade that then works is remembered for the origin (with a TTL), so
 * the next page starts on the transport that works; a better transport is
 * probed in the background now and then, and the connection switches back
 * only after the probe said hello and beat on time.
 *
 * Switching never loses or doubles an event: the new stream starts from the
 * connection's cursor, and the connection dedupes by position.
 */
export class TransportLadder {
  readonly #rungs: readonly Transport[];
  readonly #skipped: readonly Transport[];
  readonly #origin: string;
  readonly #host: LadderHost;
  readonly #rememberMs: number;
  readonly #reprobeMs: number;
  readonly #earlyCloseMs: number;
  readonly #strikes: number;
  readonly #storage: LadderStorage | null;
  readonly #decisions: TransportDecision[] = [];
  #index = -1;
  #monitor: BeatMonitor | undefined;
  /** Our own event loop's pauses (a cached page, a suspended worker) are not the path's fault. */
  readonly #pauses = new PauseDetector((at) => this.#monitor?.resumed(at));
  #helloAt: number | undefined;
  #openFailures = 0;
  #earlyCloses = 0;
  /** A downgrade for a path reason, remembered once the lower transport says hello. */
  #rememberOnHello = false;
  #probeFailures = 0;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #probe: { connection: TransportConnection | undefined; deadline: Deadline; done: boolean } | undefined;
  #upgradedAt: number | undefined;
  #stopped = false;

  constructor(transports: readonly Transport[], origin: string, options: LadderOptions, host: LadderHost) {
    this.#rungs = transports.filter((t) => t.isSupported());
    this.#skipped = transports.filter((t) => !t.isSupported());
    this.#origin = origin;
    this.#host = host;
    this.#rememberMs = options.rememberMs ?? 30 * 60_000;
    this.#reprobeMs = options.reprobeMs ?? 60_000;
    this.#earlyCloseMs = options.earlyCloseMs ?? 10_000;
    this.#strikes = options.strikes ?? 3;
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
  }

  get decisions(): readonly TransportDecision[] {
    return this.#decisions;
  }

  /** The transport to open now; the first call makes the initial decision. */
  get current(): Transport | undefined {
    if (this.#index === -1) this.#start();
    return this.#rungs[this.#index];
  }

  /** A new stream is being opened on `current`. */
  opening(): void {
    this.#monitor = undefined;
    this.#helloAt = undefined;
    this.#pauses.stop();
  }

  hello(frame: HelloFrame, arrivedAt: number): void {
    const transport = this.current;
    if (!transport) return;
    this.#monitor = isStreaming(transport) ? new BeatMonitor(frame, arrivedAt) : undefined;
    // Half an interval, late by half an interval more: a pause shorter than that bunches no beats, and a
    // loaded machine's late timers are no proxy either. But no coarser than half the lateness that makes an
    // event late: with 15 s beats, a worker suspended for 10 s (WebKit, its pages in the back/forward cache)
    // would otherwise pass unseen, and the backlog it reads on return would look like a buffering proxy's.
    // Only streams are judged by their timing.
    const resolution = Math.max(250, Math.min(frame.heartbeat, EVENT_LATE_MIN_MS) / 2);
    if (this.#monitor) this.#pauses.arm(arrivedAt, resolution, resolution);
    else this.#pauses.stop();
    this.#helloAt = arrivedAt;
    this.#openFailures = 0;
    if (this.#rememberOnHello) {
      this.#rememberOnHello = false;
      this.#remember(transport.name);
    }
    this.#scheduleProbe();
  }

  /** Returns true when the beat made the ladder step down: re-open at once. */
  heartbeat(frame: HeartbeatFrame, arrivedAt: number): boolean {
    this.#pauses.check(arrivedAt);
    const sign = this.#monitor?.beat(frame, arrivedAt);
    if (!sign || pageHidden()) return false;
    return this.#step(sign, `a heartbeat stamped ${new Date(frame.time).toISOString()} arrived ${arrivedAt - frame.time} ms after it was written (clock offset included)`);
  }

  /** Returns true when the event's lateness made the ladder step down: re-open at once (the event itself counts). */
  event(time: number, arrivedAt: number): boolean {
    this.#pauses.check(arrivedAt);
    const sign = this.#monitor?.event(time, arrivedAt);
    if (!sign || pageHidden()) return false;
    return this.#step(sign, `live events arrived seconds after they were published, in bursts (the last ${arrivedAt - time} ms after, clock offset included)`);
  }

  /** No hello within the deadline. Returns true when the ladder stepped down: re-open at once. */
  helloTimeout(ms: number): boolean {
    if (pageHidden()) return false;
    return this.#step('hello-timeout', `no hello within ${ms} ms`);
  }

  /**
   * The stream ended by itself (or stalled past its heartbeat deadline).
   * Returns true when the ladder stepped down; the connection still waits
   * its backoff before re-opening.
   */
  ended(at: number): boolean {
    if (this.#helloAt === undefined) {
      this.#openFailures += 1;
      if (this.#openFailures >= this.#strikes) return this.#step('open-failures', `${this.#openFailures} attempts in a row ended before the hello`);
      return false;
    }
    const lived = at - this.#helloAt;
    this.#helloAt = undefined;
    if (lived >= this.#earlyCloseMs) {
      this.#earlyCloses = 0;
      return false;
    }
    this.#earlyCloses += 1;
    if (this.#earlyCloses >= this.#strikes) {
      return this.#step('early-closes', `${this.#earlyCloses} streams in a row ended within ${this.#earlyCloseMs} ms of their hello`);
    }
    return false;
  }

  /** No stream is open (closed, or waiting to re-open): nothing to time. */
  idle(): void {
    this.#pauses.stop();
  }

  /** The connection closed for good: no more probes. */
  stop(): void {
    this.#stopped = true;
    this.#pauses.stop();
    this.#cancelProbe();
  }

  #start(): void {
    const skipped = this.#skipped.length > 0 ? `; not supported here: ${this.#skipped.map((t) => t.name).join(', ')}` : '';
    this.#index = 0;
    const remembered = this.#recall();
    if (remembered) {
      this.#index = remembered.index;
      this.#decide('remembered', undefined, `remembered for ${this.#origin} until ${new Date(remembered.until).toISOString()}${skipped}`);
      return;
    }
    this.#decide('initial', undefined, `first supported of ${[...this.#rungs, ...this.#skipped].map((t) => t.name).join(', ') || 'none'}${skipped}`);
  }

  #step(reason: DecisionReason, detail: string): boolean {
    if (this.#index + 1 >= this.#rungs.length) return false;
    const previous = this.#rungs[this.#index]?.name;
    this.#index += 1;
    this.#openFailures = 0;
    this.#earlyCloses = 0;
    this.#monitor = undefined;
    this.#pauses.stop();
    this.#helloAt = undefined;
    this.#rememberOnHello = PATH_REASONS.has(reason);
    // Stepping down soon after a probe brought us up: the probe was too kind; wait longer next time.
    if (this.#upgradedAt !== undefined && Date.now() - this.#upgradedAt < this.#rememberMs) this.#probeFailures += 1;
    this.#upgradedAt = undefined;
    this.#cancelProbe();
    this.#decide(reason, previous, detail);
    return true;
  }

  #decide(reason: DecisionReason, previous: TransportName | undefined, detail: string, probed?: TransportName): void {
    const decision: TransportDecision = {
      time: Date.now(),
      reason,
      transport: this.#rungs[this.#index]?.name,
      previous,
      ...(probed ? { probed } : {}),
      detail,
    };
    this.#decisions.push(decision);
    // A long-lived page must not grow the trail without bound.
    if (this.#decisions.length > 100) this.#decisions.splice(0, this.#decisions.length - 100);
    this.#host.decision(decision);
  }

  #recall(): { index: number; until: number } | undefined {
    const key = STORAGE_PREFIX + this.#origin;
    let entry: { transport?: unknown; until?: unknown } | undefined;
    try {
      const text = this.#storage?.getItem(key);
      entry = text ? (JSON.parse(text) as typeof entry) : undefined;
    } catch {
      return undefined;
    }
    if (!entry) return undefined;
    const index = this.#rungs.findIndex((t) => t.name === entry.transport);
    // A client restricted to other transports leaves the memory to the clients it is about.
    if (index === -1) return undefined;
    // Any script of the origin can write storage: a time a Date cannot hold counts as long expired.
    const until = typeof entry.until === 'number' && entry.until >= 0 && entry.until <= MAX_DATE_MS ? entry.until : 0;
    if (index === 0 || until <= Date.now() || until > Date.now() + this.#rememberMs) {
      this.#forget();
      if (index > 0) this.#decide('remembered-expired', undefined, `the downgrade to ${String(entry.transport)} for ${this.#origin} expired at ${new Date(until).toISOString()}`);
      return undefined;
    }
    return { index, until };
  }

  #remember(name: TransportName): void {
    if (this.#index === 0) return this.#forget();
    try {
      this.#storage?.setItem(STORAGE_PREFIX + this.#origin, JSON.stringify({ transport: name, until: Date.now() + this.#rememberMs }));
    } catch {
      // Quota or privacy mode: the choice just is not remembered.
    }
  }

  #forget(): void {
    try {
      this.#storage?.removeItem(STORAGE_PREFIX + this.#origin);
    } catch {
      // As above.
    }
  }

  #scheduleProbe(): void {
    if (this.#stopped || this.#index <= 0 || this.#probeTimer !== undefined || this.#probe) return;
    const delay = Math.min(this.#reprobeMs * 2 ** Math.min(this.#probeFailures, 20), Math.max(this.#reprobeMs, this.#rememberMs));
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      void this.#runProbe(0);
    }, delay);
  }

  #cancelProbe(): void {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    if (this.#probe) {
      this.#probe.done = true;
      this.#probe.deadline.clear();
      this.#probe.connection?.close();
      this.#probe = undefined;
    }
  }

  /** Opens the rung `target` next to the current stream and watches it; the current stream is untouched meanwhile. */
  async #runProbe(target: number): Promise<void> {
    const transport = this.#rungs[target];
    if (this.#stopped || !transport || target >= this.#index) return;
    const needBeats = isStreaming(transport) ? PROBE_BEATS : 0;
    let monitor: BeatMonitor | undefined;
    let interval = 0;
    let beats = 0;
    const probe = {
      connection: undefined as TransportConnection | undefined,
      deadline: new Deadline(() => fail(monitor ? 'a heartbeat did not arrive in time' : `no hello within ${this.#host.helloTimeoutMs} ms`)),
      done: false,
    };
    const end = (): boolean => {
      if (probe.done) return false;
      probe.done = true;
      probe.deadline.clear();
      probe.connection?.close();
      if (this.#probe === probe) this.#probe = undefined;
      return true;
    };
    const fail = (why: string): void => {
      if (!end()) return;
      this.#decide('probe-failed', undefined, `${transport.name}: ${why}`, transport.name);
      if (target + 1 < this.#index) {
        void this.#runProbe(target + 1);
        return;
      }
      this.#probeFailures += 1;
      this.#scheduleProbe();
    };
    const succeed = (): void => {
      if (!end() || target >= this.#index) return;
      const previous = this.#rungs[this.#index]?.name;
      this.#index = target;
      this.#probeFailures = 0;
      this.#upgradedAt = Date.now();
      this.#rememberOnHello = false;
      if (target === 0) this.#forget();
      else this.#remember(transport.name);
      this.#decide('probe-healthy', previous, `${transport.name} said hello${needBeats ? ` and beat ${needBeats} times on time` : ''}`, transport.name);
      this.#host.switchNow();
    };

    this.#probe = probe;
    this.#decide('probe-started', undefined, `trying ${transport.name} next to ${this.#rungs[this.#index]?.name}`, transport.name);
    probe.deadline.arm(this.#host.helloTimeoutMs);
    const beatDeadline = (interval: number): void => probe.deadline.arm(heartbeatDeadlineMs(interval));
    const connection = await this.#host.openProbe(transport, {
      hello: (frame) => {
        if (probe.done || monitor) return;
        monitor = new BeatMonitor(frame, Date.now());
        interval = frame.heartbeat;
        if (needBeats === 0) succeed();
        else beatDeadline(interval);
      },
      heartbeat: (frame) => {
        if (probe.done || !monitor) return;
        const sign = monitor.beat(frame, Date.now());
        if (sign && !pageHidden()) return fail(sign);
        beats += 1;
        if (beats >= needBeats) succeed();
        else beatDeadline(interval);
      },
      // The current stream delivers; what the probe reads is dropped.
      event: () => {},
      gap: () => {},
      closed: (error) => fail(error ? error.message : 'the stream ended'),
      // A draining server says nothing about the transport: tried again at the next round, not counted.
      reconnect: () => {
        if (end()) this.#scheduleProbe();
      },
    });
    if (!connection) {
      end();
      this.#scheduleProbe();
      return;
    }
    if (probe.done) connection.close();
    else probe.connection = connection;
  }
}
