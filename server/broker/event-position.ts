import type { CometEvent, PositionedEvent } from '../../src/protocol/messages.js';
import { parsePosition, type Position } from '../../src/protocol/position.js';

/**
 * The server's side of the browser's rule (src/protocol/check-event.ts): an
 * event's id is read once, where the event enters this process, or never,
 * where this process mints it. From there the event carries its `Position`
 * (the browser's `PositionedEvent` shape) through subscriptions, history
 * reads, replays, the fan-out, the feeds and the GRIP publisher, none of
 * which reads the id again; a fan-out to ten thousand polls would otherwise
 * parse each event's id ten thousand times.
 *
 * `position` is set as a property that is not enumerable: what is
 * serialized (`eventJson`, the stores), compared (`deepStrictEqual`) or
 * spread is the event as published, and server code that gets the event
 * from `publish()` sees the same fields as before.
 */
export function withPosition<T extends CometEvent>(event: T, position: Position): T & PositionedEvent {
  return Object.defineProperty(event, 'position', { value: position }) as T & PositionedEvent;
}

/**
 * The event with its position, for an event handed over by a broker: ours
 * set it where the event entered the process (no parse here); an event from
 * a broker of the embedder's own (`Broker` is public) has its id parsed
 * here, once, and keeps the result. Undefined for an id that names no
 * position: such an event cannot be ordered, and no reader is given it.
 */
export function positioned(event: CometEvent): PositionedEvent | undefined {
  if ((event as Partial<PositionedEvent>).position) return event as PositionedEvent;
  const position = parsePosition(event.id);
  if (!position) return undefined;
  // A frozen event (a broker may hand out immutable ones) is carried as a copy.
  return withPosition(Object.isExtensible(event) ? event : { ...event }, position);
}

/** The events of a history read, each with its position; events whose id names none are left out. */
export function positionedEvents(events: readonly CometEvent[]): PositionedEvent[] {
  const out: PositionedEvent[] = [];
  for (const event of events) {
    const with_ = positioned(event);
    if (with_) out.push(with_);
  }
  return out;
}
