/**
 * A position names one event in one channel: `<epoch>-<seq>`.
 *
 * The epoch changes whenever the server's history of a channel starts over
 * (a memory broker restarting, say), so a position from an older epoch can
 * never be mistaken for one in the current history. Within an epoch `seq`
 * only grows; `seq` 0 is the position before the first event.
 *
 * This module is the one place that reads, writes and orders positions, on
 * both sides of the wire: every other module holds a `Position` and asks
 * here, so the format (PROTOCOL.md, "Positions and cursors") lives in one
 * file.
 */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

// [protocol] epoch: 1–16 of a–z 0–9; seq: a decimal integer. 15 digits keep
// every seq a safe integer, so `seq + 1` and comparisons stay exact.
const POSITION_PATTERN = /^([a-z0-9]{1,16})-(\d{1,15})$/;
const EPOCH_PATTERN = /^[a-z0-9]{1,16}$/;

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

export function isEpoch(text: unknown): text is string {
  return typeof text === 'string' && EPOCH_PATTERN.test(text);
}

export function formatPosition(position: Position): string {
  return `${position.epoch}-${position.seq}`;
}

/**
 * How far `a` is past `b`: `a.seq - b.seq` in one epoch (negative when it is
 * before), NaN across epochs. Positions of two epochs belong to two
 * histories and are never ordered: NaN makes every `<`, `<=`, `>` false.
 */
export function comparePositions(a: Position, b: Position): number {
  return a.epoch === b.epoch ? a.seq - b.seq : NaN;
}

/**
 * True when `candidate` is at or before `current` in the same epoch: already
 * seen. `comparePositions(candidate, current) <= 0`, spelled out: a page's
 * client needs only this one.
 */
export function isAtOrBefore(candidate: Position, current: Position): boolean {
  return candidate.epoch === current.epoch && candidate.seq <= current.seq;
}

/** True when both name the same position, or both are missing. */
export function isSamePosition(a: Position | undefined, b: Position | undefined): boolean {
  return a && b ? comparePositions(a, b) === 0 : a === b;
}

/** The position just before `position` in its epoch (`seq` 0 has none before it: itself). */
export function positionBefore(position: Position): Position {
  return { epoch: position.epoch, seq: Math.max(0, position.seq - 1) };
}
