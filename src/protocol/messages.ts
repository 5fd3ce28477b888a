import type { TransportName } from './transport-name.js';

/** What a handler receives: one published event. */
export interface CometEvent<Data = unknown> {
  /** Position of the event in its channel (`<epoch>-<seq>`); unique per channel. */
  readonly id: string;
  readonly channel: string;
  /** Application-defined kind, `"message"` when the publisher gave none. */
  readonly type: string;
  readonly data: Data;
  /** Server time of publication, milliseconds since the Unix epoch. */
  readonly time: number;
}

/** First frame of every stream or poll response. */
export interface HelloFrame {
  readonly v: number;
  /** Server clock, to compare with the heartbeats' stamps. */
  readonly time: number;
  /** Milliseconds between heartbeats; the client derives its liveness deadline from it. */
  readonly heartbeat: number;
  /** Positions the stream starts from, one per subscribed channel, including those never seen. */
  readonly cursor: string;
  readonly transport: TransportName;
}

export interface HeartbeatFrame {
  /** Server clock when the beat was written; late or bunched beats betray a buffering proxy. */
  readonly time: number;
}

/** `cursor-ahead`: the reader's position is past the channel's head (a forged cursor, or history that started over in the same epoch). */
export type GapReason = 'history-exceeded' | 'epoch-changed' | 'cursor-ahead';

/** Said when the server cannot replay everything after the reader's position. */
export interface GapFrame {
  readonly channel: string;
  /** The reader's position, or null when it had none the server knew. */
  readonly from: string | null;
  /** The position the stream continues after. */
  readonly to: string;
  readonly reason: GapReason;
}

/**
 * Said by a server that is going away (draining for a restart or a deploy):
 * the stream ends after this frame, and the client comes back from its
 * cursor after `after` ms. The server draws `after` per stream over its
 * drain window, so its clients return spread out rather than at once.
 */
export interface ReconnectFrame {
  /** Milliseconds to wait before resuming. */
  readonly after: number;
  /** Why: `drain` (the server process is stopping). Other values may come; every one means the same to a client. */
  readonly reason: string;
}

/** A 4xx/5xx JSON body, and the shape of every error frame. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}
