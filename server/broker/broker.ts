import type { PushStore } from '../push/push-store.js';
import type { CometEvent, GapReason } from '../../src/protocol/messages.js';
import type { Position } from '../../src/protocol/position.js';
import type { InboxStore } from '../inbox/inbox-store.js';
import type { PresenceStateStore } from '../presence/presence-state-store.js';
import type { IdempotencyStore } from '../send/idempotency-store.js';

export interface PublishInput {
  readonly channel: string;
  readonly type: string;
  readonly data: unknown;
  /** `data` as checked and serialized by `dataJson()`; a broker given none checks and serializes `data` itself. */
  readonly dataJson?: string;
}

/** A broker that can hold no more channels (`maxChannels`) refuses a publish to a new one with this. */
export class BrokerFullError extends Error {
  override readonly name = 'BrokerFullError';
}

export interface HistoryRead {
  /** Events after the reader's position that are still held, oldest first. */
  readonly events: readonly CometEvent[];
  /** Where the reader continues after `events`: the channel's head when nothing was read. */
  readonly head: Position;
  /** Set when the history no longer holds everything after the reader's position. */
  readonly gap?: { readonly to: Position; readonly reason: GapReason };
}

/**
 * Where events are stored and fanned out. The memory broker serves one
 * process; a Redis broker (streams for history, pub/sub for fan-out)
 * implements the same interface for several.
 */
export interface Broker {
  publish(input: PublishInput): Promise<CometEvent>;
  /** Events strictly after `after`; with no `after`, none, and the current head. */
  read(channel: string, after: Position | undefined): Promise<HistoryRead>;
  /** The last `limit` events still held, oldest first: what a new reader shows before live events arrive. */
  recent(channel: string, limit: number): Promise<readonly CometEvent[]>;
  /** Live events of a channel, in order, from the moment of the call. */
  subscribe(channel: string, listener: (event: CometEvent) => void): () => void;
  close(): Promise<void>;
  /**
   * Stores for the state that must be shared wherever the events are: each
   * user's inbox, send idempotency keys and member states. A broker for
   * several processes provides them so `createCometServer({ broker })` shares
   * that state too; a broker for one process leaves it to the memory stores.
   */
  sharedStores?(options: SharedStoreOptions): SharedStores;
  /** A broker on a remote store tells `observe` each command's round trip (ms), for the metrics. */
  observeRoundTrips?(observe: (ms: number) => void): void;
}

export interface SharedStoreOptions {
  readonly inboxMaxItemsPerUser?: number;
  readonly idempotencyTtlMs?: number;
}

export interface SharedStores {
  readonly inbox: InboxStore;
  readonly idempotency: IdempotencyStore;
  readonly presenceStates: PresenceStateStore;
  readonly push: PushStore;
}
