import type { InboxChangeJson, InboxCountsJson, InboxFilter, InboxItemJson } from '../../src/inbox/inbox-protocol.js';

export interface InboxPage {
  readonly items: readonly InboxItemJson[];
  readonly next: number | null;
}

/**
 * Where each user's notifications and their seen/read/archived state live.
 * The memory store serves one process. A shared store (Redis: a sorted set
 * of item ids per user, a hash per item, counters updated in the same
 * script) implements the same methods for several.
 */
export interface InboxStore {
  /** Adds a notification, with a new id larger than every earlier one of the user. */
  add(user: string, notification: { readonly type: string; readonly data: unknown; readonly time: number }): Promise<InboxItemJson>;
  /** Items of `filter` with ids below `before` (all when absent), newest first, at most `limit`. */
  list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<InboxPage>;
  counts(user: string): Promise<InboxCountsJson>;
  /** Applies a change; returns how many items it changed. */
  update(user: string, change: InboxChangeJson): Promise<number>;
  close(): Promise<void>;
}
