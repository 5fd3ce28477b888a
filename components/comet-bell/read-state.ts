import type { CometEvent } from '../../src/protocol/messages.js';
import { comparePositions, parsePosition } from '../../src/protocol/position.js';

interface ReadSnapshot {
  /** Everything up to this event is read ("mark all read"). */
  readonly through: { readonly id: string; readonly time: number } | undefined;
  /** Events read one by one after `through`; bounded, oldest dropped. */
  readonly ids: readonly string[];
}

const MAX_IDS = 500;
/**
 * How far ahead of this browser's clock a "read through" time may be. Event
 * times are the server's clock, which can run somewhat ahead; anything
 * further is not a time an event could have, and would keep notifications
 * that have not arrived yet marked read.
 */
const MAX_CLOCK_AHEAD_MS = 60 * 60 * 1000;
const CHANNEL_NAME = 'cometkit:read-state';
const EMPTY: ReadSnapshot = { through: undefined, ids: [] };

const isEventId = (value: unknown): value is string => typeof value === 'string' && parsePosition(value) !== undefined;

function isEventTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= Date.now() + MAX_CLOCK_AHEAD_MS;
}

/**
 * Reads a snapshot another tab posted or storage held. Every tab of the
 * origin, and any script on it, can write both: only ids and times an event
 * could have are taken, and at most the newest MAX_IDS ids.
 */
function readSnapshot(value: unknown): ReadSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { ids, through } = value as { ids?: unknown; through?: unknown };
  if (!Array.isArray(ids)) return undefined;
  const newest = ids.slice(-MAX_IDS);
  if (!newest.every(isEventId)) return undefined;
  if (through === undefined) return { through: undefined, ids: newest };
  if (typeof through !== 'object' || through === null) return undefined;
  const { id, time } = through as { id?: unknown; time?: unknown };
  if (!isEventId(id) || !isEventTime(time)) return undefined;
  return { through: { id, time }, ids: newest };
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
          if (message.data?.key !== this.#key) return;
          const snapshot = readSnapshot(message.data.snapshot);
          if (snapshot) this.#set(snapshot, false);
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
    if (!through || event.time > through.time) return false;
    const position = parsePosition(event.id);
    const last = parsePosition(through.id);
    // Positions compare only within an epoch (NaN across one: across a server restart, time alone decides).
    // Both must agree within one, so a "through" far ahead in positions still covers no event newer than its time.
    return !(position && last && comparePositions(position, last) > 0);
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
      snapshot = readSnapshot(JSON.parse(localStorage.getItem(this.#key) ?? 'null')) ?? EMPTY;
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
