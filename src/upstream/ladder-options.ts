/**
 * Tuning of the transport ladder. Its check, where a page gives it and where
 * it crosses a port to a hub, is its entry in src/hub/client-options.ts.
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
