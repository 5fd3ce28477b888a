/**
 * Where members' small states live (typing, away, a cursor), per channel
 * and user, apart from the sessions in `PresenceStore` so that a store of
 * sessions needs nothing new to carry them. A shared implementation (e.g.
 * a Redis hash per channel) lets several processes share them.
 */
export interface PresenceStateStore {
  /** Sets (or with `undefined` clears) `user`'s state on `channel`. */
  set(channel: string, user: string, state: unknown): Promise<void>;
  /** States of the users of `channel` that have one. */
  all(channel: string): Promise<ReadonlyMap<string, unknown>>;
  close(): Promise<void>;
}

/** Member states for one process, in memory; cleared when the member leaves. */
export class MemoryPresenceStateStore implements PresenceStateStore {
  readonly #channels = new Map<string, Map<string, unknown>>();

  async set(channel: string, user: string, state: unknown): Promise<void> {
    let users = this.#channels.get(channel);
    if (state === undefined) {
      users?.delete(user);
      if (users?.size === 0) this.#channels.delete(channel);
      return;
    }
    if (!users) {
      users = new Map();
      this.#channels.set(channel, users);
    }
    users.set(user, state);
  }

  async all(channel: string): Promise<ReadonlyMap<string, unknown>> {
    return this.#channels.get(channel) ?? new Map();
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }
}
