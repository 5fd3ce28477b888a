import type { CometEvent } from '../../src/protocol/messages.js';
import { formatPosition, type Position } from '../../src/protocol/position.js';
import type { Broker, HistoryRead, PublishInput } from './broker.js';

interface ChannelState {
  seq: number;
  /** Ring of the last `historySize` events: `history[(seq - 1) % size]`. */
  readonly history: CometEvent[];
  readonly listeners: Set<(event: CometEvent) => void>;
}

export interface MemoryBrokerOptions {
  /** Events kept per channel for resuming readers. Default 1000. */
  readonly historySize?: number;
  /** Fixed epoch, for tests; by default a new one per process so restarts are detected. */
  readonly epoch?: string;
}

/** A broker for one process: history and fan-out in memory. */
export class MemoryBroker implements Broker {
  readonly #channels = new Map<string, ChannelState>();
  readonly #historySize: number;
  readonly #epoch: string;

  constructor(options: MemoryBrokerOptions = {}) {
    this.#historySize = Math.max(1, Math.floor(options.historySize ?? 1000));
    this.#epoch = options.epoch ?? newEpoch();
  }

  async publish(input: PublishInput): Promise<CometEvent> {
    const state = this.#state(input.channel);
    state.seq += 1;
    const event: CometEvent = {
      id: formatPosition({ epoch: this.#epoch, seq: state.seq }),
      channel: input.channel,
      type: input.type,
      data: input.data,
      time: Date.now(),
    };
    state.history[(state.seq - 1) % this.#historySize] = event;
    for (const listener of state.listeners) listener(event);
    return event;
  }

  async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    const state = this.#channels.get(channel);
    const seq = state?.seq ?? 0;
    const head: Position = { epoch: this.#epoch, seq };
    if (!after) return { events: [], head };
    const oldest = Math.max(1, seq - this.#historySize + 1);
    const held = (from: number): CometEvent[] => {
      const events: CometEvent[] = [];
      for (let s = from; s <= seq; s += 1) events.push(state!.history[(s - 1) % this.#historySize]!);
      return events;
    };
    if (after.epoch !== this.#epoch) {
      return { events: held(oldest), head, gap: { to: { epoch: this.#epoch, seq: oldest - 1 }, reason: 'epoch-changed' } };
    }
    if (after.seq >= seq) return { events: [], head };
    if (after.seq < oldest - 1) {
      return { events: held(oldest), head, gap: { to: { epoch: this.#epoch, seq: oldest - 1 }, reason: 'history-exceeded' } };
    }
    return { events: held(after.seq + 1), head };
  }

  async recent(channel: string, limit: number): Promise<readonly CometEvent[]> {
    const state = this.#channels.get(channel);
    if (!state || limit <= 0) return [];
    const from = Math.max(1, state.seq - Math.min(limit, this.#historySize) + 1);
    const events: CometEvent[] = [];
    for (let s = from; s <= state.seq; s += 1) events.push(state.history[(s - 1) % this.#historySize]!);
    return events;
  }

  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    const state = this.#state(channel);
    state.listeners.add(listener);
    return () => {
      state.listeners.delete(listener);
      // A channel nobody reads and nobody wrote to costs nothing once forgotten.
      if (state.listeners.size === 0 && state.seq === 0) this.#channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { seq: 0, history: [], listeners: new Set() };
      this.#channels.set(channel, state);
    }
    return state;
  }
}

function newEpoch(): string {
  // Time plus randomness: two processes started in the same millisecond still differ.
  return (Date.now().toString(36) + Math.random().toString(36).slice(2, 6)).slice(0, 16);
}
