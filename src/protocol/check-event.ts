import { isValidChannel } from './channel.js';
import { parsePosition } from './position.js';
import type { CometEvent, GapFrame } from './messages.js';
import { finiteNumber, record, type Checked } from './check-value.js';

/**
 * The frames a tab reads (events and gaps, which also cross the port from
 * the hub), apart from the stream-only frames in validate.ts: a page whose
 * hub runs elsewhere never loads those.
 */
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
