import type { Position } from './position.js';
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
export interface Gap {
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

/**
 * An event as the browser carries it once read at its edge (a transport, a
 * history or send answer): its `id` parsed into `position` there, once, and
 * handed on parsed through the upstream, the hub, the port, the client and
 * the elements, none of which reads the id again.
 */
export interface PositionedEvent<Data = unknown> extends CometEvent<Data> {
  readonly position: Position;
}

/** A gap with the position the stream continues after (`to`, parsed at the edge). */
export interface PositionedGap extends Gap {
  readonly position: Position;
}

/**
 * The copy a page hands to its handlers: `position` stays on it, but not
 * enumerable, so what the page sees, compares and serializes is the event
 * as published. Structured cloning drops it: the hub posts the position
 * as a field of its own message.
 */
export function hidePosition<T extends { readonly position: Position }>(value: T): T {
  const { position, ...rest } = value;
  return Object.defineProperty(rest, 'position', { value: position }) as unknown as T;
}

/** The parsed position a page's event came with (undefined for an event the page made itself). */
export function positionOf(event: CometEvent): Position | undefined {
  return (event as Partial<PositionedEvent>).position;
}
