/**
 * Turns raw SSE frames into protocol values, through the same checks the
 * browser client uses: a frame the server writes that the client would
 * refuse fails the server's tests too.
 */
import assert from 'node:assert/strict';
import type { CometEvent, GapFrame, HeartbeatFrame, HelloFrame } from '../../src/protocol/messages.js';
import { checkPosition, type Position } from '../../src/protocol/position.js';
import { checkEvent, checkGap, checkHeartbeat, checkHello } from '../../src/protocol/validate.js';
import type { SseFrame, SseStream } from './sse-client.js';

function checked<T>(frame: SseFrame, event: string, check: (value: unknown) => T | string): T {
  assert.equal(frame.event, event, `expected a "${event}" frame, got "${frame.event}": ${frame.data}`);
  const value = check(JSON.parse(frame.data));
  if (typeof value === 'string') assert.fail(`${value}: ${frame.data}`);
  return value;
}

export const helloOf = (frame: SseFrame): HelloFrame => checked(frame, 'hello', checkHello);
export const eventOf = (frame: SseFrame): CometEvent => checked(frame, 'message', checkEvent);
export const gapOf = (frame: SseFrame): GapFrame => checked(frame, 'gap', checkGap);
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
