/**
 * The inbox's JSON, shared by the server and the SDK (PROTOCOL.md, Inbox).
 * Item ids are per user and only grow: a newer item has a larger id.
 */
export interface InboxItemJson {
  readonly id: number;
  readonly type: string;
  readonly data: unknown;
  /** Server time the notification was added (ms). */
  readonly time: number;
  readonly seen: boolean;
  readonly read: boolean;
  readonly archived: boolean;
}

/** Counts over items not archived. */
export interface InboxCountsJson {
  readonly total: number;
  readonly unseen: number;
  readonly unread: number;
}

/** `all`: not archived; `unread`: not archived and not read; `archived`: archived. */
export type InboxFilter = 'all' | 'unread' | 'archived';
export const INBOX_FILTERS: readonly InboxFilter[] = ['all', 'unread', 'archived'];

/** What a state change sets; at least one flag. */
export interface InboxFlags {
  readonly seen?: boolean;
  readonly read?: boolean;
  readonly archived?: boolean;
}

/** Which items a change applies to: some ids, or every item up to an id (inclusive). */
export type InboxTarget = { readonly ids: readonly number[] } | { readonly upTo: number };

export type InboxChangeJson = InboxTarget & { readonly set: InboxFlags };

/** `GET {base}/inbox` */
export interface InboxPageJson {
  /** The user's own channel: `inbox.added` and `inbox.changed` events arrive there. */
  readonly channel: string;
  /** Newest first. */
  readonly items: readonly InboxItemJson[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  readonly next: number | null;
  readonly counts: InboxCountsJson;
}

/** `GET {base}/inbox/counts` and the answer of `POST {base}/inbox/state`. */
export interface InboxCountsAnswerJson {
  readonly channel: string;
  readonly counts: InboxCountsJson;
}

/** `data` of `inbox.added` on the user's channel. */
export interface InboxAddedData {
  readonly item: InboxItemJson;
  readonly counts: InboxCountsJson;
}

/** `data` of `inbox.changed` on the user's channel: apply `change` to the items held. */
export interface InboxChangedData {
  readonly change: InboxChangeJson;
  readonly counts: InboxCountsJson;
}

export const INBOX_PAGE_MAX = 100;
export const INBOX_IDS_MAX = 500;

/** Does `change` apply to `item`? */
export function changeTargets(change: InboxTarget, id: number): boolean {
  return 'upTo' in change ? id <= change.upTo : change.ids.includes(id);
}

/** Does `item` belong in the view of `filter`? */
export function inFilter(item: Pick<InboxItemJson, 'read' | 'archived'>, filter: InboxFilter): boolean {
  if (filter === 'archived') return item.archived;
  if (item.archived) return false;
  return filter === 'all' || !item.read;
}
