import { MalformedFrameError } from '../errors/malformed-frame-error.js';
import { checkEvent, checkGap, checkHeartbeat, checkHello, checkReconnect, parseJson } from '../protocol/validate.js';
import type { Checked } from '../protocol/check-value.js';
import type { TransportSink } from './transport.js';

export type FrameKind = 'hello' | 'event' | 'gap' | 'heartbeat' | 'reconnect';

/** Each frame's check, named as the sink's method that takes what it returns. */
const CHECKS: Record<FrameKind, (value: unknown) => Checked<unknown>> = {
  hello: checkHello,
  event: checkEvent,
  gap: checkGap,
  heartbeat: checkHeartbeat,
  reconnect: checkReconnect,
};

/**
 * Checks one frame's JSON text and hands it to the sink. Returns the error
 * for a malformed frame instead of passing it on: the caller closes its
 * stream, so nothing after a bad frame is read out of order.
 */
export function readFrame(kind: FrameKind, text: string, sink: TransportSink): MalformedFrameError | undefined {
  return readFrameValue(kind, parseJson(text), sink, text);
}

/** The same for a frame already parsed (a posted message, a poll answer's entry). */
export function readFrameValue(kind: FrameKind, json: unknown, sink: TransportSink, text?: string): MalformedFrameError | undefined {
  const frame = CHECKS[kind](json);
  if (typeof frame === 'string') return new MalformedFrameError(frame, text ?? safeStringify(json));
  (sink[kind] as (frame: unknown) => void)(frame);
  return undefined;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A draining server's last frame, read by a transport that has stopped
 * already: the sink learns when to come back, or that the frame was
 * malformed (and ends as on any malformed frame).
 */
export function readReconnect(json: unknown, sink: TransportSink): void {
  const malformed = readFrameValue('reconnect', json, sink);
  if (malformed) sink.closed(malformed);
}
