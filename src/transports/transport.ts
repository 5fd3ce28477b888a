import type { CometError } from '../errors/comet-error.js';
import type { HeartbeatFrame, HelloFrame, PositionedEvent, PositionedGap } from '../protocol/messages.js';
import type { TransportName } from '../protocol/transport-name.js';

/** What to open: the same for every transport, so switching transport never changes what is read. */
export interface StreamRequest {
  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  readonly url: string;
  readonly channels: readonly string[];
  /** Encoded positions to resume after (see PROTOCOL.md, "Cursor"). */
  readonly cursor: string;
  readonly token: string | undefined;
  /** Send cookies to a push server on another origin. */
  readonly withCredentials: boolean;
}

/**
 * Where a transport hands what it read. Calls after `closed` are ignored by
 * the caller. Events and gaps come with the position their id was parsed
 * into here, at the edge: nothing downstream reads the id again.
 */
export interface TransportSink {
  hello(frame: HelloFrame): void;
  event(event: PositionedEvent): void;
  gap(frame: PositionedGap): void;
  heartbeat(frame: HeartbeatFrame): void;
  /** The stream ended by itself; `error` says why, when something went wrong. */
  closed(error?: CometError): void;
  /**
   * The server is going away (draining) and asked to be tried again after
   * `afterMs`: the stream has ended, and nothing went wrong. Called instead
   * of `closed`.
   */
  reconnect(afterMs: number): void;
}

/** One open stream. */
export interface TransportConnection {
  close(): void;
}

export interface Transport {
  readonly name: TransportName;
  /**
   * True when frames arrive on one long-held response, so a buffering proxy
   * shows in their timing (late or bunched heartbeats). A poll's answers are
   * complete responses: their timing says nothing about buffering.
   * Absent means streaming, except for `long-poll`.
   */
  readonly streaming?: boolean;
  /** False where the environment lacks what the transport needs (a DOM, EventSource…). */
  isSupported(): boolean;
  open(request: StreamRequest, sink: TransportSink): TransportConnection;
}

/** See `Transport.streaming`. */
export function isStreaming(transport: Transport): boolean {
  return transport.streaming ?? transport.name !== 'long-poll';
}
