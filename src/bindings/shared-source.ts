/**
 * One live source per client and key, shared by every component that follows
 * the same thing (a channel, a roster, the inbox counts), and kept while any
 * of them holds it.
 *
 * The last release closes the source a microtask later, not at once: React's
 * StrictMode mounts, unmounts and mounts again in one go, and a route change
 * unmounts one component as the next mounts. Both hold the source again
 * before the microtask runs, so the stream and its position stay, no event
 * is delivered twice or missed, and a roster is not left and joined again.
 */

/** What a source reads now, and how it ends. */
export interface Live<Snapshot> {
  read(): Snapshot;
  close(): void;
}

/** Opens a source; it calls `changed` whenever what `read()` returns is new. */
export type Opener<Snapshot> = (changed: () => void) => Live<Snapshot>;

export interface SharedSource<Snapshot> {
  /** The current snapshot, or `idle` while nothing holds the source. The same object until something changes. */
  read(): Snapshot;
  /** Follows the source, opening it if nothing does yet; returns the release. */
  hold(onChange: () => void): () => void;
}

interface Held {
  readonly live: Live<unknown>;
  readonly listeners: Set<() => void>;
}

const held = new WeakMap<object, Map<string, Held>>();

export function sharedSource<Snapshot>(owner: object, key: string, open: Opener<Snapshot>, idle: Snapshot): SharedSource<Snapshot> {
  let byKey = held.get(owner);
  if (!byKey) held.set(owner, (byKey = new Map()));
  const sources = byKey;
  return {
    read: () => (sources.get(key)?.live.read() as Snapshot | undefined) ?? idle,
    hold(onChange) {
      let entry = sources.get(key);
      if (!entry) {
        const listeners = new Set<() => void>();
        // Listeners are called from a copy: one may release (and another hold) while being told.
        const live = open(() => [...listeners].forEach((listener) => listener()));
        entry = { live, listeners };
        sources.set(key, entry);
      }
      const current = entry;
      const listener = (): void => onChange();
      current.listeners.add(listener);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        current.listeners.delete(listener);
        if (current.listeners.size > 0) return;
        queueMicrotask(() => {
          if (current.listeners.size > 0 || sources.get(key) !== current) return;
          sources.delete(key);
          current.live.close();
        });
      };
    },
  };
}
