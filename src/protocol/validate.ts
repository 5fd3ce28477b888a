import { isValidChannel } from './channel.js';
import { parsePosition } from './position.js';
import type { CometEvent, GapFrame, HeartbeatFrame, HelloFrame } from './messages.js';
import { TRANSPORT_NAMES } from './transport-name.js';

/**
 * Frames come from the network, possibly through proxies that mangle them:
 * each is checked field by field before anything trusts it. Every check
 * returns the parsed value, or a string saying what was wrong.
 */
type Checked<T> = T | string;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function finiteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function checkEvent(value: unknown): Checked<CometEvent> {
  const frame = record(value);
  if (!frame) return 'event frame is not a JSON object';
  const { id, channel, type, data, time } = frame;
  if (typeof id !== 'string' || !parsePosition(id)) return 'event frame has no valid "id"';
  if (!isValidChannel(channel)) return 'event frame has no valid "channel"';
  if (typeof type !== 'string') return 'event frame has no "type" string';
  if (!finiteNumber(time)) return 'event frame has no numeric "time"';
  if (!('data' in frame)) return 'event frame has no "data"';
  return { id, channel, type, data, time };
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

export function checkGap(value: unknown): Checked<GapFrame> {
  const frame = record(value);
  if (!frame) return 'gap frame is not a JSON object';
  const { channel, from, to, reason } = frame;
  if (!isValidChannel(channel)) return 'gap frame has no valid "channel"';
  if (from !== null && (typeof from !== 'string' || !parsePosition(from))) return 'gap frame has an invalid "from"';
  if (typeof to !== 'string' || !parsePosition(to)) return 'gap frame has no valid "to"';
  if (reason !== 'history-exceeded' && reason !== 'epoch-changed' && reason !== 'cursor-ahead') return 'gap frame has an unknown "reason"';
  return { channel, from, to, reason };
}
