/**
 * A position names one event in one channel: `<epoch>-<seq>`.
 *
 * The epoch changes whenever the server's history of a channel starts over
 * (a memory broker restarting, say), so a position from an older epoch can
 * never be mistaken for one in the current history. Within an epoch `seq`
 * only grows; `seq` 0 is the position before the first event.
 */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

const POSITION_PATTERN = /^([a-z0-9]{1,16})-(\d{1,15})$/;

export function parsePosition(text: string): Position | undefined {
  const match = POSITION_PATTERN.exec(text);
  if (!match) return undefined;
  return { epoch: match[1]!, seq: Number(match[2]) };
}

export function formatPosition(position: Position): string {
  return `${position.epoch}-${position.seq}`;
}

/** True when `candidate` is at or before `current` in the same epoch: already seen. */
export function isAtOrBefore(candidate: Position, current: Position): boolean {
  return candidate.epoch === current.epoch && candidate.seq <= current.seq;
}
