/**
 * A position as a value, once read: its type, its text form, its order, and
 * whether an epoch is well-formed (for a position that crossed a port, so is
 * checked rather than parsed). Apart from position.ts, which reads positions
 * from text at the edges, so that a page, which only holds and compares
 * positions, carries none of the reading.
 */

/** One event's place in its channel: `<epoch>-<seq>` as text (see position.ts). */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

const EPOCH_PATTERN = /^[a-z0-9]{1,16}$/;

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
