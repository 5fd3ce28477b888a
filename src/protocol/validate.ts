import type { HeartbeatFrame, HelloFrame } from './messages.js';
import { finiteNumber, record, type Checked } from './check-value.js';
import { TRANSPORT_NAMES } from './transport-name.js';

export { checkEvent, checkGap } from './check-event.js';

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function checkHello(value: unknown): Checked<HelloFrame> {
  const frame = record(value);
  if (!frame) return 'hello frame is not a JSON object';
  const { v, time, heartbeat, cursor, transport } = frame;
  if (!finiteNumber(v)) return 'hello frame has no protocol version "v"';
  if (!finiteNumber(time)) return 'hello frame has no numeric "time"';
  if (!finiteNumber(heartbeat) || heartbeat <= 0) return 'hello frame has no positive "heartbeat"';
  if (typeof cursor !== 'string') return 'hello frame has no "cursor" string';
  if (!TRANSPORT_NAMES.includes(transport as never)) return 'hello frame names no known transport';
  return { v, time, heartbeat, cursor, transport: transport as HelloFrame['transport'] };
}

export function checkHeartbeat(value: unknown): Checked<HeartbeatFrame> {
  const frame = record(value);
  if (!frame || !finiteNumber(frame['time'])) return 'heartbeat frame has no numeric "time"';
  return { time: frame['time'] };
}

/** Longest wait a reconnect frame may ask for (ms): a server's drain window is seconds; a larger value is taken as this. */
export const MAX_RECONNECT_AFTER_MS = 300_000;

/** A reconnect frame's delay (ms): its `reason` changes nothing for a client. */
export function checkReconnect(value: unknown): Checked<number> {
  const after = record(value)?.['after'];
  return finiteNumber(after) && after >= 0 ? Math.min(after, MAX_RECONNECT_AFTER_MS) : 'reconnect without "after"';
}
