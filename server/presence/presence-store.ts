/** One user present on a channel, however many sessions (tabs, browsers) they have open. */
export interface StoredPresenceMember {
  /** User id: the token's `sub`, or the demo identity of an anonymous server. */
  readonly user: string;
  /** Display name: the token's `name`, else the user id. */
  readonly name: string;
  /** When the user's first session on the channel arrived (ms since the epoch). */
  readonly since: number;
}

export interface PresenceDeparture {
  readonly channel: string;
  readonly user: string;
}

/**
 * Where presence lives: per channel, per user, the sessions that beat and
 * when each expires. The memory store serves one process. A shared store
 * (e.g. Redis: one sorted set of `session → expiry` per channel and user,
 * changed by small scripts) serves several: every method reports a change
 * only to the one caller that made it, so each join and leave is published
 * once however many processes touch or sweep the same user.
 */
export interface PresenceStore {
  /**
   * Records that `session` of `member.user` is on `channel` until `expires`.
   * True when the user had no session there before (the user joined).
   */
  touch(channel: string, member: { readonly user: string; readonly name: string }, session: string, now: number, expires: number): Promise<boolean>;
  /** Ends one session at once. True when it was the user's last session on the channel (the user left). */
  leave(channel: string, user: string, session: string): Promise<boolean>;
  /** Ends every session whose expiry is at or before `now`; returns the users left with no session. */
  expire(now: number): Promise<readonly PresenceDeparture[]>;
  /** Users present on `channel`, earliest arrival first. */
  roster(channel: string): Promise<readonly StoredPresenceMember[]>;
  close(): Promise<void>;
}
