import { formatCursor, type Cursor } from '../../src/protocol/cursor.js';
import type { CometEvent, GapFrame } from '../../src/protocol/messages.js';
import { formatPosition, isAtOrBefore, parsePosition, type Position } from '../../src/protocol/position.js';
import type { Broker } from '../broker/broker.js';

/** What a transport writes; each call is one frame on the wire. */
export interface FeedSink {
  start(cursor: string): void;
  gap(gap: GapFrame): void;
  event(event: CometEvent, cursor: string): void;
}

export interface Feed {
  /** Current positions of every channel in the feed. */
  readonly cursor: Cursor;
  close(): void;
}

/**
 * Joins replayed history and live events into one ordered sequence per
 * channel, with nothing lost or doubled at the seam.
 *
 * Live delivery is subscribed *before* history is read, and buffered; after
 * the replay the buffer is drained, skipping what the replay already held.
 * Reading first and subscribing after would lose whatever was published in
 * between.
 */
export async function openFeed(broker: Broker, channels: readonly string[], from: Cursor, sink: FeedSink): Promise<Feed> {
  const cursor: Cursor = new Map();
  let live = false;
  let closed = false;
  const buffered: CometEvent[] = [];

  const deliver = (event: CometEvent): void => {
    const position = parsePosition(event.id);
    const current = cursor.get(event.channel);
    if (!position || (current && isAtOrBefore(position, current))) return;
    cursor.set(event.channel, position);
    sink.event(event, formatCursor(cursor));
  };
  const unsubscribes = channels.map((channel) =>
    broker.subscribe(channel, (event) => {
      if (closed) return;
      if (live) deliver(event);
      else buffered.push(event);
    }),
  );
  const close = (): void => {
    closed = true;
    for (const unsubscribe of unsubscribes) unsubscribe();
  };

  let reads;
  try {
    reads = await Promise.all(channels.map((channel) => broker.read(channel, from.get(channel))));
  } catch (error) {
    close();
    throw error;
  }
  if (closed) return { cursor, close };

  const gaps: GapFrame[] = [];
  channels.forEach((channel, index) => {
    const read = reads[index]!;
    const after = from.get(channel);
    // Without a gap the stream continues from the reader's own position, or from the head for a new reader.
    const start: Position = read.gap ? read.gap.to : (after ?? read.head);
    if (read.gap) {
      gaps.push({ channel, from: after ? formatPosition(after) : null, to: formatPosition(start), reason: read.gap.reason });
    }
    cursor.set(channel, start);
  });

  sink.start(formatCursor(cursor));
  for (const gap of gaps) sink.gap(gap);
  for (const read of reads) for (const event of read.events) deliver(event);
  live = true;
  for (const event of buffered.splice(0)) deliver(event);
  return { cursor, close };
}
