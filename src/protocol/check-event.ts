import { isValidChannel } from './channel.js';
import { parsePosition } from './position.js';
import type { PositionedEvent, PositionedGap } from './messages.js';
import { finiteNumber, record, type Checked } from './check-value.js';

/**
 * Events and gaps where they enter the browser: a stream's frames, a
 * history or send answer. Here, and only here, an event's id is parsed: the
 * event goes on with its position (see `PositionedEvent`). Apart from the
 * stream-only frames in validate.ts: a page whose hub runs elsewhere loads
 * this for its history reads alone.
 */
export function checkEvent(value: unknown): Checked<PositionedEvent> {
  const frame = record(value);
  if (!frame) return 'event frame is not a JSON object';
  const { id, channel, type, data, time } = frame;
  const position = typeof id === 'string' ? parsePosition(id) : undefined;
  if (!position) return 'event frame has no valid "id"';
  if (!isValidChannel(channel)) return 'event frame has no valid "channel"';
  if (typeof type !== 'string') return 'event frame has no "type" string';
  if (!finiteNumber(time)) return 'event frame has no numeric "time"';
  if (!('data' in frame)) return 'event frame has no "data"';
  return { id: id as string, channel, type, data, time, position };
}

export function checkGap(value: unknown): Checked<PositionedGap> {
  const frame = record(value);
  if (!frame) return 'gap frame is not a JSON object';
  const { channel, from, to, reason } = frame;
  if (!isValidChannel(channel)) return 'gap frame has no valid "channel"';
  if (from !== null && (typeof from !== 'string' || !parsePosition(from))) return 'gap frame has an invalid "from"';
  const position = typeof to === 'string' ? parsePosition(to) : undefined;
  if (!position) return 'gap frame has no valid "to"';
  if (reason !== 'history-exceeded' && reason !== 'epoch-changed' && reason !== 'cursor-ahead') return 'gap frame has an unknown "reason"';
  return { channel, from, to: to as string, reason, position };
}
