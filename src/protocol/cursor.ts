import { isValidChannel } from './channel.js';
import { checkPosition, formatPosition, parsePosition, type Position } from './position.js';

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

/**
 * The cursor `text` holds, or undefined: the quiet form for a page, which
 * drops what it cannot read whatever the reason, so carries no reasons.
 */
export function parseCursor(text: string): Cursor | undefined {
  const cursor: Cursor = new Map();
  if (text.length > MAX_CURSOR_LENGTH) return undefined;
  if (text === '') return cursor;
  for (const entry of text.split(',')) {
    const split = entry.indexOf('=');
    const channel = entry.slice(0, split);
    const position = split > 0 && isValidChannel(channel) ? parsePosition(entry.slice(split + 1)) : undefined;
    if (!position) return undefined;
    cursor.set(channel, position);
  }
  return cursor;
}

/** The cursor `text` holds, or a message naming the first entry that is wrong and why (for `400 bad-cursor`). */
export function checkCursor(text: string): Cursor | string {
  const cursor = parseCursor(text);
  if (cursor) return cursor;
  if (text.length > MAX_CURSOR_LENGTH) return `cursor is longer than ${MAX_CURSOR_LENGTH} characters`;
  // The first entry that is not one channel's position on its own.
  const entry = text.split(',').find((part) => parseCursor(part)?.size !== 1) ?? '';
  const split = entry.indexOf('=');
  const position = split > 0 && isValidChannel(entry.slice(0, split)) ? checkPosition(entry.slice(split + 1)) : undefined;
  return `cursor entry "${entry.slice(0, 80)}" is not of the form channel=epoch-seq${typeof position === 'string' ? `: ${position}` : ''}`;
}
