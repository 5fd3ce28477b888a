import { MalformedFrameError } from '../errors/malformed-frame-error.js';
import { checkEvent, checkGap, checkHeartbeat, checkHello, checkReconnect, parseJson } from '../protocol/validate.js';
import type { TransportSink } from './transport.js';

export type FrameKind = 'hello' | 'event' | 'gap' | 'heartbeat';

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
  const fail = (reason: string): MalformedFrameError => new MalformedFrameError(reason, text ?? safeStringify(json));
  switch (kind) {
    case 'hello': {
      const frame = checkHello(json);
      if (typeof frame === 'string') return fail(frame);
      sink.hello(frame);
      return undefined;
    }
    case 'event': {
      const frame = checkEvent(json);
      if (typeof frame === 'string') return fail(frame);
      sink.event(frame);
      return undefined;
    }
    case 'gap': {
      const frame = checkGap(json);
      if (typeof frame === 'string') return fail(frame);
      sink.gap(frame);
      return undefined;
    }
    case 'heartbeat': {
      const frame = checkHeartbeat(json);
      if (typeof frame === 'string') return fail(frame);
      sink.heartbeat(frame);
      return undefined;
    }
  }
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
  const after = checkReconnect(json);
  if (typeof after === 'string') sink.closed(new MalformedFrameError(after, safeStringify(json)));
  else sink.reconnect(after);
}
