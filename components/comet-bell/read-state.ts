import type { CometEvent } from '../../src/protocol/messages.js';
import { isAtOrBefore, parsePosition } from '../../src/protocol/position.js';

interface ReadSnapshot {
  /** Everything up to this event is read ("mark all read"). */
  readonly through: { readonly id: string; readonly time: number } | undefined;
  /** Events read one by one after `through`; bounded, oldest dropped. */
  readonly ids: readonly string[];
}

const MAX_IDS = 500;
const CHANNEL_NAME = 'cometkit:read-state';
const EMPTY: ReadSnapshot = { through: undefined, ids: [] };

function isSnapshot(value: unknown): value is ReadSnapshot {
  const v = value as Partial<ReadSnapshot> | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.ids) && v.ids.every((id) => typeof id === 'string') &&
    (v.through === undefined || (typeof v.through?.id === 'string' && typeof v.through.time === 'number'));
}

/**
 * Which notifications are read, per storage key, shared by every tab of the
 * origin at once and kept across reloads: localStorage holds it, and each
 * change is posted on a BroadcastChannel so other tabs update without
 * waiting; the `storage` event covers browsers without BroadcastChannel.
 */
export class ReadState {
  readonly #key: string;
  #snapshot: ReadSnapshot = EMPTY;
  #ids = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #channel: BroadcastChannel | undefined;

  constructor(key: string) {
    this.#key = `cometkit:read:${key}`;
    this.#load();
  }

  /** Starts following other tabs; returns a function that stops. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) {
      if (typeof BroadcastChannel === 'function') {
        this.#channel = new BroadcastChannel(CHANNEL_NAME);
        this.#channel.onmessage = (message: MessageEvent<{ key?: unknown; snapshot?: unknown }>) => {
          if (message.data?.key === this.#key && isSnapshot(message.data.snapshot)) this.#set(message.data.snapshot, false);
        };
      }
      window.addEventListener('storage', this.#onStorage);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#channel?.close();
        this.#channel = undefined;
        window.removeEventListener('storage', this.#onStorage);
      }
    };
  }

  isRead(event: CometEvent): boolean {
    if (this.#ids.has(event.id)) return true;
    const through = this.#snapshot.through;
    if (!through) return false;
    const position = parsePosition(event.id);
    const last = parsePosition(through.id);
    // Positions compare only within an epoch; across a server restart, time decides.
    if (position && last && position.epoch === last.epoch) return isAtOrBefore(position, last);
    return event.time <= through.time;
  }

  markRead(events: readonly CometEvent[]): void {
    const ids = [...this.#snapshot.ids, ...events.filter((e) => !this.isRead(e)).map((e) => e.id)].slice(-MAX_IDS);
    this.#set({ through: this.#snapshot.through, ids }, true);
  }

  /** Marks `newest` and everything before it as read. */
  markAllRead(newest: CometEvent): void {
    this.#set({ through: { id: newest.id, time: newest.time }, ids: [] }, true);
  }

  readonly #onStorage = (event: StorageEvent): void => {
    if (event.key === this.#key) this.#load(true);
  };

  #load(notify = false): void {
    let snapshot: ReadSnapshot = EMPTY;
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(this.#key) ?? 'null');
      if (isSnapshot(parsed)) snapshot = parsed;
    } catch {
      // Storage can be disabled (privacy modes) or hold junk: start from nothing read.
    }
    this.#set(snapshot, false, notify);
  }

  #set(snapshot: ReadSnapshot, publish: boolean, notify = true): void {
    this.#snapshot = snapshot;
    this.#ids = new Set(snapshot.ids);
    if (publish) {
      try {
        localStorage.setItem(this.#key, JSON.stringify(snapshot));
      } catch {
        // Full or disabled storage: the other tabs still hear it below.
      }
      this.#channel?.postMessage({ key: this.#key, snapshot });
    }
    if (notify) for (const listener of this.#listeners) listener();
  }
}
