import type {
  InboxAction,
  InboxActionResult,
  InboxChange,
  InboxCounts,
  InboxFilter,
  InboxItem,
  InboxPreferences,
  InboxPreferencesPatch,
  InboxSeverity,
} from '../../src/protocol/inbox-protocol.js';

export interface StoredInboxPage {
  readonly items: readonly InboxItem[];
  readonly next: number | null;
}

/** A checked notification as the store keeps it; preferences already applied. */
export interface NewInboxItem {
  readonly type: string;
  readonly data: unknown;
  readonly time: number;
  /** Default: the type. */
  readonly category?: string;
  /** Default true; false when the user muted toasts for the category. */
  readonly toast?: boolean;
  readonly severity?: InboxSeverity;
  readonly avatar?: string;
  readonly actor?: string;
  readonly actions?: readonly InboxAction[];
  /** A group key: collapses into the group's unread item. */
  readonly group?: string;
}

/** What an add did: a new item, which may take the place of an earlier one of its group. */
export interface InboxAdded {
  readonly item: InboxItem;
  readonly replaces?: number;
}

/**
 * Who runs an item's action: `claimed` (the caller: run it, then
 * `finishAction`), `running` (another caller holds the claim), `done` (it
 * ran; the item carries the result) or `missing` (no such item, or it is
 * archived or snoozed).
 */
export type InboxActionClaim =
  | { readonly state: 'claimed' | 'running' | 'done'; readonly item: InboxItem }
  | { readonly state: 'missing' };

/** A snoozed item back: `item` is new, unread and unseen, and takes the place of `replaces`. */
export interface InboxWoken {
  readonly user: string;
  readonly item: InboxItem;
  readonly replaces: number;
}

/**
 * Where each user's notifications and their seen/read/archived state live.
 * The memory store serves one process. A shared store (Redis: a sorted set
 * of item ids per user, a hash per item, counters updated in the same
 * script) implements the same methods for several.
 */
export interface InboxStore {
  /**
   * Adds a notification, with a new id larger than every earlier one of the
   * user. With a `group` whose item is unread, not archived and not
   * snoozed, that item goes and the new one counts it in (`replaces`).
   */
  add(user: string, notification: NewInboxItem): Promise<InboxAdded>;
  /** Items of `filter` with ids below `before` (all when absent), newest first, at most `limit`. Snoozed items are only in `snoozed`. */
  list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<StoredInboxPage>;
  /** Over items neither archived nor snoozed; a group is one item. */
  counts(user: string): Promise<InboxCounts>;
  /** Applies a change to items not snoozed; returns how many items it changed. */
  update(user: string, change: InboxChange): Promise<number>;
  /** One item, snoozed or not (with `snoozedUntil`). */
  get(user: string, id: number): Promise<InboxItem | undefined>;
  /**
   * Claims the item's action run for `token`, for `leaseMs` (a claimer that
   * died lets go then). At most one claim holds at a time, and none once a
   * result is set: each item's action runs once.
   */
  claimAction(user: string, id: number, token: string, leaseMs: number, now: number): Promise<InboxActionClaim>;
  /**
   * Ends the claim of `token`: with a result, the item keeps it and loses
   * its actions; without, the claim is let go so the action may run again.
   * Returns the item as it is after, undefined when the claim was not `token`'s.
   */
  finishAction(user: string, id: number, token: string, result: InboxActionResult | undefined): Promise<InboxItem | undefined>;
  /** Hides items (not archived) until `until`, or moves the time of ones snoozed; returns how many. */
  snooze(user: string, ids: readonly number[], until: number): Promise<number>;
  /**
   * Brings back snoozed items due at `now` (at most `limit`): each exactly
   * once across every caller of every process sharing the store.
   */
  wake(now: number, limit: number): Promise<readonly InboxWoken[]>;
  /** When the next snooze of this process's store ends, for a store that can tell (memory); shared stores are polled. */
  nextWake?(): number | undefined;
  /** The user's preferences; every category on for a user who set none. */
  preferences(user: string): Promise<InboxPreferences>;
  /**
   * Merges a checked patch: channels it names change, others stay. Refuses
   * (`400 bad-preferences`) one that would hold more than `maxCategories`.
   */
  setPreferences(user: string, patch: InboxPreferencesPatch, maxCategories: number): Promise<{ readonly preferences: InboxPreferences; readonly changed: boolean }>;
  close(): Promise<void>;
}
