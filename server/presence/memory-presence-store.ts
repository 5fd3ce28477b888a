import type { PresenceDeparture, PresenceStore, StoredPresenceMember } from './presence-store.js';

interface UserEntry {
  name: string;
  readonly since: number;
  /** session → expiry (ms since the epoch) */
  readonly sessions: Map<string, number>;
}

/** Presence for one server process, in memory. */
export class MemoryPresenceStore implements PresenceStore {
  /** channel → user → entry; Map order is arrival order, which the roster keeps. */
  readonly #channels = new Map<string, Map<string, UserEntry>>();

  async touch(channel: string, member: { user: string; name: string }, session: string, now: number, expires: number): Promise<boolean> {
    let users = this.#channels.get(channel);
    if (!users) {
      users = new Map();
      this.#channels.set(channel, users);
    }
    const entry = users.get(member.user);
    if (entry) {
      entry.name = member.name;
      entry.sessions.set(session, expires);
      return false;
    }
    users.set(member.user, { name: member.name, since: now, sessions: new Map([[session, expires]]) });
    return true;
  }

  async leave(channel: string, user: string, session: string): Promise<boolean> {
    const users = this.#channels.get(channel);
    const entry = users?.get(user);
    if (!users || !entry || !entry.sessions.delete(session)) return false;
    if (entry.sessions.size > 0) return false;
    users.delete(user);
    if (users.size === 0) this.#channels.delete(channel);
    return true;
  }

  async expire(now: number): Promise<readonly PresenceDeparture[]> {
    const gone: PresenceDeparture[] = [];
    for (const [channel, users] of this.#channels) {
      for (const [user, entry] of users) {
        for (const [session, expires] of entry.sessions) if (expires <= now) entry.sessions.delete(session);
        if (entry.sessions.size === 0) {
          users.delete(user);
          gone.push({ channel, user });
        }
      }
      if (users.size === 0) this.#channels.delete(channel);
    }
    return gone;
  }

  async roster(channel: string): Promise<readonly StoredPresenceMember[]> {
    return [...(this.#channels.get(channel) ?? [])].map(([user, entry]) => ({ user, name: entry.name, since: entry.since }));
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }
}
