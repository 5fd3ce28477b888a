import { isValidChannel } from './channel.js';
import { formatPosition, parsePosition, type Position } from './position.js';

/**
 * A cursor is the set of positions a reader has reached, one per channel:
 * `news=k3x9-42,ticker=k3x9-7`. It is what a stream resumes from, whatever
 * the transport: the SSE `id:` field (so native reconnects send it back as
 * `Last-Event-ID`), the `cursor` query parameter, a long-poll response.
 */
export type Cursor = Map<string, Position>;

/** Upper bound on a cursor's text, so a hostile query cannot make us parse megabytes. */
export const MAX_CURSOR_LENGTH = 16 * 1024;

export function formatCursor(cursor: ReadonlyMap<string, Position>): string {
  const entries: string[] = [];
  for (const [channel, position] of cursor) entries.push(`${channel}=${formatPosition(position)}`);
  return entries.join(',');
}

/** Parses a cursor; returns an error message instead of throwing so callers choose the error type. */
export function parseCursor(text: string): Cursor | string {
  const cursor: Cursor = new Map();
  if (text === '') return cursor;
  if (text.length > MAX_CURSOR_LENGTH) return `cursor is longer than ${MAX_CURSOR_LENGTH} characters`;
  for (const entry of text.split(',')) {
    const split = entry.indexOf('=');
    const channel = split > 0 ? entry.slice(0, split) : '';
    const position = split > 0 ? parsePosition(entry.slice(split + 1)) : undefined;
    if (!isValidChannel(channel) || !position) {
      return `cursor entry "${entry.slice(0, 80)}" is not of the form channel=epoch-seq`;
    }
    cursor.set(channel, position);
  }
  return cursor;
}
