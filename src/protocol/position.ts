/**
 * A position names one event in one channel: `<epoch>-<seq>`.
 *
 * The epoch changes whenever the server's history of a channel starts over
 * (a memory broker restarting, say), so a position from an older epoch can
 * never be mistaken for one in the current history. Within an epoch `seq`
 * only grows; `seq` 0 is the position before the first event.
 *
 * This module and position-value.ts are the one place that reads, writes
 * and orders positions, on both sides of the wire: every other module holds
 * a `Position` and asks here, so the format (PROTOCOL.md, "Positions and
 * cursors") lives in one place. Reading text is here, at the edges; the rest
 * is in position-value.ts, re-exported.
 */

import { isEpoch, type Position } from './position-value.js';

export * from './position-value.js';

// [protocol] epoch: 1–16 of a–z 0–9; seq: a decimal integer. 15 digits keep
// every seq a safe integer, so `seq + 1` and comparisons stay exact.
const POSITION_PATTERN = /^([a-z0-9]{1,16})-(\d{1,15})$/;

/** The position `text` names, or undefined: the quiet form, for a page, which drops what it cannot read. */
export function parsePosition(text: string): Position | undefined {
  const match = POSITION_PATTERN.exec(text);
  return match ? { epoch: match[1]!, seq: Number(match[2]) } : undefined;
}

/** The position `text` names, or a message saying which part is wrong (for answers to the sender). */
export function checkPosition(text: unknown): Position | string {
  if (typeof text !== 'string') return `a position is a string <epoch>-<seq>, not ${text === null ? 'null' : typeof text}`;
  const position = parsePosition(text);
  if (position) return position;
  const shown = `position "${text.slice(0, 40)}"`;
  const dash = text.indexOf('-');
  if (dash < 0) return `${shown} has no "-" between epoch and seq`;
  if (!isEpoch(text.slice(0, dash))) return `${shown} has no valid epoch: use 1-16 of a-z 0-9`;
  return `${shown} has no valid seq: use a decimal integer of 1-15 digits`;
}
