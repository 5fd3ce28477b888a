import { dropped } from '../dev.js';

/**
 * Tuning of the transport ladder, and its check once it crossed a port to a
 * hub (the hub's side only: pages send these, they never read them).
 */
/** The part of Web Storage the ladder uses, so a host without localStorage can hand another. */
export interface LadderStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LadderOptions {
  /** How long a downgrade is remembered for a push origin (ms). Default 30 minutes. */
  readonly rememberMs?: number;
  /** Wait before probing a better transport again (ms). Default 60 s, doubled after each failed probe up to `rememberMs`. */
  readonly reprobeMs?: number;
  /** A stream that ends sooner than this after its hello counts as an early close (ms). Default 10 s. */
  readonly earlyCloseMs?: number;
  /** Early closes, or failed opens, in a row that make the ladder step down. Default 3. */
  readonly strikes?: number;
  /** Where the working transport is remembered. Default `localStorage` where usable; `null` for nowhere. */
  readonly storage?: LadderStorage | null;
}

/** Ladder options that can cross a port to a hub in a worker (storage cannot). */
export function checkLadderOptions(value: unknown): Omit<LadderOptions, 'storage'> | undefined | string {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return dropped('ladder options are not an object');
  const options = value as Record<string, unknown>;
  const result: Record<string, number> = {};
  for (const key of ['rememberMs', 'reprobeMs', 'earlyCloseMs', 'strikes'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return dropped(`ladder option "${key}" is not a non-negative number`);
    result[key] = v;
  }
  return result;
}
