import type { CometEvent } from '../../src/protocol/messages.js';

const serialized = new WeakMap<CometEvent, string>();

/**
 * An event's envelope as JSON, serialized once however many streams,
 * transports and polls carry it: the broker hands every listener the same
 * object, so the cache is keyed by it and lets go when the event does.
 */
export function eventJson(event: CometEvent): string {
  let json = serialized.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    serialized.set(event, json);
  }
  return json;
}
