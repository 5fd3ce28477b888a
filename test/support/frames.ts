/**
 * Turns raw SSE frames into protocol values, through the same checks the
 * browser client uses: a frame the server writes that the client would
 * refuse fails the server's tests too.
 */
import assert from 'node:assert/strict';
import type { CometEvent, Gap, HeartbeatFrame, HelloFrame } from '../../src/protocol/messages.js';
import { checkPosition, formatPosition, type Position } from '../../src/protocol/position.js';
import { checkEvent, checkGap, checkHeartbeat, checkHello } from '../../src/protocol/validate.js';
import type { SseFrame, SseStream } from './sse-client.js';

function checked<T>(frame: SseFrame, event: string, check: (value: unknown) => T | string): T {
  assert.equal(frame.event, event, `expected a "${event}" frame, got "${frame.event}": ${frame.data}`);
  const value = check(JSON.parse(frame.data));
  if (typeof value === 'string') assert.fail(`${value}: ${frame.data}`);
  return value;
}

export const helloOf = (frame: SseFrame): HelloFrame => checked(frame, 'hello', checkHello);
/**
 * The checks hand an event or gap on as the browser's edge does, with the
 * position its id (a gap's `to`) was parsed into: checked here against the
 * text, then left off, so tests compare what the server wrote.
 */
function asWritten<T extends { readonly position: Position }>(value: T, text: string): Omit<T, 'position'> {
  const { position, ...written } = value;
  assert.equal(formatPosition(position), text, 'the position parsed at the edge is the one the frame names');
  return written;
}

export const eventOf = (frame: SseFrame): CometEvent => {
  const event = checked(frame, 'message', checkEvent);
  return asWritten(event, event.id);
};
export const gapOf = (frame: SseFrame): Gap => {
  const gap = checked(frame, 'gap', checkGap);
  return asWritten(gap, gap.to);
};
export const heartbeatOf = (frame: SseFrame): HeartbeatFrame => checked(frame, 'heartbeat', checkHeartbeat);

/** The next `count` events, skipping heartbeats; each with the stream cursor it carried as `id`. */
export async function takeEvents(stream: SseStream, count: number, timeoutMs = 2000): Promise<Array<CometEvent & { cursor: string }>> {
  const events: Array<CometEvent & { cursor: string }> = [];
  while (events.length < count) {
    const frame = await stream.next(timeoutMs);
    if (frame.event === 'heartbeat') continue;
    events.push({ ...eventOf(frame), cursor: frame.id ?? '' });
  }
  return events;
}

/** The position an event id names; fails the test when the id is none. */
export function positionOf(id: string): Position {
  const position = checkPosition(id);
  assert.ok(typeof position === 'object', position as string);
  return position;
}
/** The `seq` part of an event id `<epoch>-<seq>`. */
export const seqOf = (id: string): number => positionOf(id).seq;
/** The `epoch` part of an event id. */
export const epochOf = (id: string): string => positionOf(id).epoch;
