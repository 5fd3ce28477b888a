import { positionOf, type CometEvent } from '../../src/protocol/messages.js';
import { comparePositions, formatPosition, parsePosition, type Position } from '../../src/protocol/position.js';

interface ReadSnapshot {
  /** "Mark all read": per epoch, the newest event then shown; it and everything before it in its epoch are read. */
  readonly through: readonly string[];
  /** Events read one by one; bounded, oldest dropped. */
  readonly ids: readonly string[];
}

const MAX_IDS = 500;
/** A list spans a server restart or two; more epochs than this in one "mark all read" is not a real one. */
const MAX_EPOCHS = 8;
const CHANNEL_NAME = 'cometkit:read-state';
const EMPTY: ReadSnapshot = { through: [], ids: [] };

const isEventId = (value: unknown): value is string => typeof value === 'string' && parsePosition(value) !== undefined;

/**
 * Reads a snapshot another tab posted or storage held. Every tab of the
 * origin, and any script on it, can write both: only event ids are taken,
 * at most the newest MAX_IDS. What they may mark is decided when they are
 * applied (see ReadState).
 */
function readSnapshot(value: unknown): ReadSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { ids, through = [] } = value as { ids?: unknown; through?: unknown };
  if (!Array.isArray(ids)) return undefined;
  const newest = ids.slice(-MAX_IDS);
  // Before per-epoch marks, a snapshot held one `{ id, time }`: its id is read as a mark of its epoch.
  const marks = Array.isArray(through) ? through : [(through as { id?: unknown } | null)?.id];
  return newest.every(isEventId) && marks.length <= MAX_EPOCHS && marks.every(isEventId) ? { through: marks, ids: newest } : undefined;
}

/**
 * Which notifications are read, per storage key, shared by every tab of the
 * origin at once and kept across reloads: localStorage holds it, and each
 * change is posted on a BroadcastChannel so other tabs update without
 * waiting; the `storage` event covers browsers without BroadcastChannel.
 *
 * A snapshot marks only what the page has shown when it is applied: one
 * from another tab when it arrives, the stored one once the page shows its
 * first list. An id the page has not shown, and a mark past the newest event
 * shown in its epoch (or of an epoch it has not shown), mark nothing, then or
 * later: what arrives after a snapshot was written is unread whatever it says.
 */
export class ReadState {
  readonly #key: string;
  #snapshot: ReadSnapshot = EMPTY;
  /** Ids of shown events that the snapshot applied last, and this page's own marks since, made read. */
  #read = new Set<string>();
  /** The marks of that snapshot that name an event shown: all this page writes back, with #read. */
  #through: readonly string[] = [];
  #shown: readonly CometEvent[] = [];
  /** The page has shown its first list: snapshots apply as they arrive. Before, the last one waits for it. */
  #showing = false;
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
          if (snapshot) this.#set(snapshot);
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

  /**
   * The events the page shows now. `complete` once its first list is in
   * (history read, or failed): the stored snapshot is applied to that list.
   */
  show(events: readonly CometEvent[], complete: boolean): void {
    this.#shown = events;
    if (complete && !this.#showing) {
      this.#showing = true;
      this.#apply(this.#snapshot);
    }
  }

  isRead(event: CometEvent): boolean {
    return this.#read.has(event.id);
  }

  markRead(events: readonly CometEvent[]): void {
    for (const event of events) this.#read.add(event.id);
    // Only what this page has shown read: what another writer listed beyond it is not passed on.
    this.#write({ through: this.#through, ids: [...this.#read].slice(-MAX_IDS) });
  }

  /** Marks every event shown now as read. */
  markAllRead(): void {
    // Epochs are a-z and 0-9: no key of Object's prototype.
    const newest: Record<string, Position> = {};
    for (const event of this.#shown) {
      // Parsed where the event entered the browser; an event made by the page itself is read here.
      const position = positionOf(event) ?? parsePosition(event.id)!;
      if (!(comparePositions(newest[position.epoch] ?? position, position) > 0)) newest[position.epoch] = position;
      this.#read.add(event.id);
    }
    this.#through = Object.values(newest).slice(0, MAX_EPOCHS).map(formatPosition);
    this.#write({ through: this.#through, ids: [] });
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
    this.#set(snapshot, notify);
  }

  /** Marks read the shown events `snapshot` lists, and those at or before a mark of their epoch that names a shown event. */
  #apply({ through, ids }: ReadSnapshot): void {
    // Shown events were checked on arrival: their ids are positions.
    const shown = this.#shown.map((event) => event.id);
    this.#through = through.filter((id) => shown.includes(id));
    // Positions of two epochs are never ordered (NaN): a mark covers only its own epoch.
    this.#read = new Set(shown.filter((id) => ids.includes(id) || this.#through.some((mark) => comparePositions(parsePosition(id)!, parsePosition(mark)!) <= 0)));
  }

  #set(snapshot: ReadSnapshot, notify = true): void {
    this.#snapshot = snapshot;
    if (this.#showing) this.#apply(snapshot);
    if (notify) for (const listener of this.#listeners) listener();
  }

  #write(snapshot: ReadSnapshot): void {
    this.#snapshot = snapshot;
    try {
      localStorage.setItem(this.#key, JSON.stringify(snapshot));
    } catch {
      // Full or disabled storage: the other tabs still hear it below.
    }
    this.#channel?.postMessage({ key: this.#key, snapshot });
    for (const listener of this.#listeners) listener();
  }
}
