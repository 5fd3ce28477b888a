import { formatCursor, type Cursor } from '../../src/protocol/cursor.js';
import type { CometEvent, Gap, PositionedEvent } from '../../src/protocol/messages.js';
import { formatPosition, isAtOrBefore, type Position } from '../../src/protocol/position.js';
import type { Broker } from '../broker/broker.js';
import type { HistoryReader } from '../broker/coalesced-reads.js';
import { positioned, positionedEvents } from '../broker/event-position.js';

/** What a transport writes; each call is one frame on the wire. */
export interface FeedSink {
  start(cursor: string): void;
  gap(gap: Gap): void;
  event(event: CometEvent, cursor: string): void;
}

export interface Feed {
  /** Current positions of every channel in the feed. */
  readonly cursor: Cursor;
  close(): void;
}

/** Where a reader starts: the positions after any gaps, the gaps, and the history to replay (with their positions). */
export interface Replay {
  readonly cursor: Cursor;
  readonly gaps: readonly Gap[];
  readonly events: readonly PositionedEvent[];
}

/**
 * Reads what follows `from` on every channel. A channel without a gap
 * continues from the reader's own position, or from the head for a new
 * reader; with a gap, from where the held history starts.
 */
export async function readReplay(broker: HistoryReader, channels: readonly string[], from: Cursor): Promise<Replay> {
  const reads = await Promise.all(channels.map((channel) => broker.read(channel, from.get(channel))));
  const cursor: Cursor = new Map();
  const gaps: Gap[] = [];
  const events: PositionedEvent[] = [];
  channels.forEach((channel, index) => {
    const read = reads[index]!;
    const after = from.get(channel);
    const start: Position = read.gap ? read.gap.to : (after ?? read.head);
    if (read.gap) {
      gaps.push({ channel, from: after ? formatPosition(after) : null, to: formatPosition(start), reason: read.gap.reason });
    }
    cursor.set(channel, start);
    events.push(...positionedEvents(read.events));
  });
  return { cursor, gaps, events };
}

/**
 * Moves `cursor` past `event` and returns true, or returns false when the
 * cursor already holds it (a replay overlapping live delivery).
 */
export function advance(cursor: Cursor, event: PositionedEvent): boolean {
  return step(cursor, event) !== undefined;
}

/**
 * Moves `cursor` past a live `event`, as `advance` does (undefined when the
 * cursor already holds it), and names the gap the event opens, if any: a
 * broker delivers each channel's events in order and catches up what its
 * live feed missed from history, so an event more than one position past
 * the cursor (or of another epoch) means the events in between are no
 * longer held — the process's live feed was cut for longer than the history
 * reaches. The reader is told, as it is when a replay cannot reach its position.
 */
export function step(cursor: Cursor, event: PositionedEvent): { readonly gap: Gap | undefined } | undefined {
  const { position } = event;
  const current = cursor.get(event.channel);
  if (current && isAtOrBefore(position, current)) return undefined;
  cursor.set(event.channel, position);
  if (!current) return { gap: undefined };
  const sameEpoch = position.epoch === current.epoch;
  if (sameEpoch && position.seq === current.seq + 1) return { gap: undefined };
  return {
    gap: {
      channel: event.channel,
      from: formatPosition(current),
      to: formatPosition({ epoch: position.epoch, seq: position.seq - 1 }),
      reason: sameEpoch ? 'history-exceeded' : 'epoch-changed',
    },
  };
}

/**
 * Joins replayed history and live events into one ordered sequence per
 * channel, with nothing lost or doubled at the seam: for one reader (a
 * poll). Held streams share their channels' delivery instead (fanout.ts).
 *
 * Live delivery is subscribed *before* history is read, and buffered; after
 * the replay the buffer is drained, skipping what the replay already held.
 * Reading first and subscribing after would lose whatever was published in
 * between.
 */
export async function openFeed(broker: Broker, channels: readonly string[], from: Cursor, sink: FeedSink, reads: HistoryReader = broker): Promise<Feed> {
  let cursor: Cursor = new Map();
  let live = false;
  let closed = false;
  const buffered: PositionedEvent[] = [];

  const deliver = (event: PositionedEvent): void => {
    const moved = step(cursor, event);
    if (!moved) return;
    if (moved.gap) sink.gap(moved.gap);
    sink.event(event, formatCursor(cursor));
  };
  const unsubscribes = channels.map((channel) =>
    broker.subscribe(channel, (event: CometEvent) => {
      if (closed) return;
      const withPosition = positioned(event);
      if (!withPosition) return;
      if (live) deliver(withPosition);
      else buffered.push(withPosition);
    }),
  );
  const close = (): void => {
    closed = true;
    for (const unsubscribe of unsubscribes) unsubscribe();
  };

  let replay: Replay;
  try {
    replay = await readReplay(reads, channels, from);
  } catch (error) {
    close();
    throw error;
  }
  if (closed) return { cursor, close };
  cursor = replay.cursor;
  sink.start(formatCursor(cursor));
  for (const gap of replay.gaps) sink.gap(gap);
  for (const event of replay.events) deliver(event);
  live = true;
  for (const event of buffered.splice(0)) deliver(event);
  return {
    get cursor() {
      return cursor;
    },
    close,
  };
}
