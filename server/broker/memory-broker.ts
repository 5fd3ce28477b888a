import type { CometEvent } from '../../src/protocol/messages.js';
import { comparePositions, formatPosition, isEpoch, type Position } from '../../src/protocol/position.js';
import { BrokerFullError, type Broker, type HistoryRead, type PublishInput } from './broker.js';
import { dataJson, sealEvent } from './event-json.js';
import { withPosition } from './event-position.js';

interface HeldEvent {
  readonly event: CometEvent;
  /** UTF-8 length of the event's JSON: what the history byte cap counts. */
  readonly bytes: number;
}

interface ChannelState {
  /** Positions of this channel's life in this broker; a re-created channel gets another. */
  readonly epoch: string;
  seq: number;
  /** The events still held, oldest first; the last one has `seq`. */
  readonly held: HeldEvent[];
  heldBytes: number;
  lastPublish: number;
  readonly listeners: Set<(event: CometEvent) => void>;
}

export interface MemoryBrokerOptions {
  /** Events kept per channel for resuming readers. Default 1000. */
  readonly historySize?: number;
  /** A channel nobody reads and nobody has published to for this long is forgotten, history and all (ms). Default 1 hour. */
  readonly historyTtlMs?: number;
  /** Most channels held at once; a publish to a new channel beyond it is refused (`503 channels-full`). Default 100000. */
  readonly maxChannels?: number;
  /** Bytes of event JSON held in history across all channels; past it, the oldest events of the least recently published channels go first. Default 64 MiB. */
  readonly maxHistoryBytes?: number;
  /** Fixed epoch, for tests (1–10 of a–z 0–9); by default a new one per process so restarts are detected. */
  readonly epoch?: string;
}

/** A broker for one process: history and fan-out in memory, bounded in channels, bytes and time. */
export class MemoryBroker implements Broker {
  /** Map order is publish order (a publish moves its channel to the end): the front is evicted first. */
  readonly #channels = new Map<string, ChannelState>();
  readonly #historySize: number;
  readonly #historyTtlMs: number;
  readonly #maxChannels: number;
  readonly #maxHistoryBytes: number;
  readonly #baseEpoch: string;
  #generation = 0;
  #epoch: string;
  #heldBytes = 0;
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(options: MemoryBrokerOptions = {}) {
    this.#historySize = Math.max(1, Math.floor(options.historySize ?? 1000));
    this.#historyTtlMs = positive(options.historyTtlMs, 3_600_000, 'historyTtlMs');
    this.#maxChannels = Math.floor(positive(options.maxChannels, 100_000, 'maxChannels'));
    this.#maxHistoryBytes = positive(options.maxHistoryBytes, 64 * 1024 * 1024, 'maxHistoryBytes');
    // Ten of the protocol's sixteen: the rest numbers the channels re-created after a sweep.
    if (options.epoch !== undefined && !(isEpoch(options.epoch) && options.epoch.length <= 10)) {
      throw new TypeError(`cometkit server: epoch must be 1-10 of a-z 0-9, got "${options.epoch}".`);
    }
    this.#baseEpoch = options.epoch ?? newEpoch();
    this.#epoch = this.#baseEpoch;
    this.#sweep = setInterval(() => this.sweep(), Math.min(60_000, Math.max(20, this.#historyTtlMs / 4)));
    this.#sweep.unref?.();
  }

  /** Channels held now (with history, or with readers). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Bytes of event JSON held in history now. */
  get historyBytes(): number {
    return this.#heldBytes;
  }

  async publish(input: PublishInput): Promise<CometEvent> {
    const json = input.dataJson ?? dataJson(input.data, 'data');
    let state = this.#channels.get(input.channel);
    if (!state) {
      if (this.#channels.size >= this.#maxChannels) this.sweep();
      if (this.#channels.size >= this.#maxChannels) {
        throw new BrokerFullError(`The server holds its limit of ${this.#maxChannels} channels (maxChannels); try again later.`);
      }
      state = this.#create(input.channel);
    } else {
      // Most recently published last: eviction under the byte cap takes from the front.
      this.#channels.delete(input.channel);
      this.#channels.set(input.channel, state);
    }
    state.seq += 1;
    // Minted here: the position is known, and travels with the event unparsed.
    const position = { epoch: state.epoch, seq: state.seq };
    const event: CometEvent = withPosition(
      { id: formatPosition(position), channel: input.channel, type: input.type, data: input.data, time: Date.now() },
      position,
    );
    const bytes = Buffer.byteLength(sealEvent(event, json));
    state.held.push({ event, bytes });
    state.heldBytes += bytes;
    state.lastPublish = event.time;
    this.#heldBytes += bytes;
    if (state.held.length > this.#historySize) this.#dropOldest(state);
    this.#evictOverBytes();
    for (const listener of state.listeners) listener(event);
    return event;
  }

  async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    const state = this.#channels.get(channel);
    const epoch = state?.epoch ?? this.#epoch;
    const seq = state?.seq ?? 0;
    const head: Position = { epoch, seq };
    if (!after) return { events: [], head };
    const held = state?.held ?? [];
    const oldest = seq - held.length + 1;
    const from = (s: number): CometEvent[] => held.slice(s - oldest).map((h) => h.event);
    const lastForgotten: Position = { epoch, seq: oldest - 1 };
    const behind = comparePositions(head, after);
    if (Number.isNaN(behind)) return { events: from(oldest), head, gap: { to: lastForgotten, reason: 'epoch-changed' } };
    // A position this channel never reached: the reader would wait for it in silence.
    if (behind < 0) return { events: [], head, gap: { to: head, reason: 'cursor-ahead' } };
    if (behind === 0) return { events: [], head };
    if (comparePositions(after, lastForgotten) < 0) return { events: from(oldest), head, gap: { to: lastForgotten, reason: 'history-exceeded' } };
    return { events: from(after.seq + 1), head };
  }

  async recent(channel: string, limit: number): Promise<readonly CometEvent[]> {
    const state = this.#channels.get(channel);
    if (!state || limit <= 0) return [];
    return state.held.slice(-limit).map((h) => h.event);
  }

  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    const state = this.#channels.get(channel) ?? this.#create(channel);
    state.listeners.add(listener);
    return () => {
      state.listeners.delete(listener);
      // A channel nobody reads and nobody wrote to costs nothing once forgotten.
      if (state.listeners.size === 0 && state.seq === 0 && this.#channels.get(channel) === state) this.#channels.delete(channel);
    };
  }

  /**
   * Forgets channels without readers whose last event is older than
   * `historyTtlMs`. Runs on a timer; public so tests and embedders can force it.
   */
  sweep(now = Date.now()): void {
    let forgotPositions = false;
    for (const [channel, state] of this.#channels) {
      if (state.listeners.size > 0) continue;
      if (state.seq > 0 && now - state.lastPublish < this.#historyTtlMs) continue;
      this.#channels.delete(channel);
      this.#heldBytes -= state.heldBytes;
      if (state.seq > 0) forgotPositions = true;
    }
    // A channel created again must not hand out positions an old reader may still hold.
    if (forgotPositions) {
      this.#generation += 1;
      this.#epoch = this.#baseEpoch + this.#generation.toString(36);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#channels.clear();
    this.#heldBytes = 0;
  }

  #create(channel: string): ChannelState {
    const state: ChannelState = { epoch: this.#epoch, seq: 0, held: [], heldBytes: 0, lastPublish: 0, listeners: new Set() };
    this.#channels.set(channel, state);
    return state;
  }

  #dropOldest(state: ChannelState): void {
    const dropped = state.held.shift();
    if (!dropped) return;
    state.heldBytes -= dropped.bytes;
    this.#heldBytes -= dropped.bytes;
  }

  #evictOverBytes(): void {
    if (this.#heldBytes <= this.#maxHistoryBytes) return;
    for (const state of this.#channels.values()) {
      while (state.held.length > 0 && this.#heldBytes > this.#maxHistoryBytes) this.#dropOldest(state);
      if (this.#heldBytes <= this.#maxHistoryBytes) return;
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`cometkit server: ${name} must be a positive number, got ${value}.`);
  return value;
}

function newEpoch(): string {
  // Time plus randomness (two processes started in the same millisecond still differ),
  // leaving 6 of the 16 characters for the generation of channels re-created after a sweep.
  return (Date.now().toString(36) + Math.random().toString(36).slice(2, 4)).slice(0, 10);
}
