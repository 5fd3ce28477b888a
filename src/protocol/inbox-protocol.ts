/**
 * The inbox's JSON, shared by the server and the SDK (PROTOCOL.md, Inbox).
 * Item ids are per user and only grow: a newer item has a larger id.
 */
export interface InboxItem {
  readonly id: number;
  readonly type: string;
  /** `title` and `body` (strings) are what elements show; `body` may use {@link INBOX_FORMATTING}. */
  readonly data: unknown;
  /** Server time the notification was added (ms); for a group, its newest; for a snooze that ended, the time it came back. */
  readonly time: number;
  readonly seen: boolean;
  readonly read: boolean;
  readonly archived: boolean;
  /** What the user's preferences are kept by; the `type` when the sender named none. */
  readonly category: string;
  readonly severity?: InboxSeverity;
  /** An http(s) image URL; elements show the actor's initials without one. */
  readonly avatar?: string;
  /** Who caused it (a display name). */
  readonly actor?: string;
  /** At most {@link INBOX_ACTIONS_MAX}; absent once one ran (`result` says which). */
  readonly actions?: readonly InboxAction[];
  /** False when the user muted toasts for the category: show it in lists, never as a toast. */
  readonly toast: boolean;
  /** Notifications of one group key collapsed into this item while it was unread. */
  readonly group?: InboxGroup;
  /** The action that ran, and what the application answered. */
  readonly result?: InboxActionResult;
  /** While snoozed (only in the `snoozed` view): hidden from other lists and counts until then (ms). */
  readonly snoozedUntil?: number;
}

export type InboxSeverity = 'info' | 'success' | 'warning' | 'error';
export const INBOX_SEVERITIES: readonly InboxSeverity[] = ['info', 'success', 'warning', 'error'];

export type InboxActionKind = 'primary' | 'secondary';

/** A button on an item. With `url` it is a link (http(s) only) and does not reach the server. */
export interface InboxAction {
  /** 1-64 of A-Z a-z 0-9 _ . : - */
  readonly id: string;
  /** 1-{@link INBOX_LABEL_MAX} characters, shown as text. */
  readonly label: string;
  readonly kind: InboxActionKind;
  readonly url?: string;
}

export interface InboxGroup {
  readonly key: string;
  /** Notifications collapsed into the item, this one included. */
  readonly count: number;
  /** Latest first, at most {@link INBOX_GROUP_ACTORS}, each once. */
  readonly actors: readonly string[];
}

export interface InboxActionResult {
  /** The action's `id`. */
  readonly action: string;
  /** What to show instead of the buttons ("Approved"). */
  readonly label: string;
  /** Server time it ran (ms). */
  readonly time: number;
}

/** Counts over items not archived. */
export interface InboxCounts {
  readonly total: number;
  readonly unseen: number;
  readonly unread: number;
}

/** `all`: not archived; `unread`: not archived and not read; `archived`: archived; `snoozed`: snoozed (in no other view). */
export type InboxFilter = 'all' | 'unread' | 'archived' | 'snoozed';
export const INBOX_FILTERS: readonly InboxFilter[] = ['all', 'unread', 'archived', 'snoozed'];

/** What a state change sets; at least one flag. */
export interface InboxFlags {
  readonly seen?: boolean;
  readonly read?: boolean;
  readonly archived?: boolean;
}

/** Which items a change applies to: some ids, or every item up to an id (inclusive). */
export type InboxTarget = { readonly ids: readonly number[] } | { readonly upTo: number };

export type InboxChange = InboxTarget & { readonly set: InboxFlags };

/** `GET {base}/inbox` */
export interface InboxPage {
  /** The user's own channel: `inbox.added` and `inbox.changed` events arrive there. */
  readonly channel: string;
  /** Newest first. */
  readonly items: readonly InboxItem[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  readonly next: number | null;
  readonly counts: InboxCounts;
}

/** `GET {base}/inbox/counts` and the answer of `POST {base}/inbox/state`. */
export interface InboxCountsAnswerJson {
  readonly channel: string;
  readonly counts: InboxCounts;
}

/** `data` of `inbox.added` on the user's channel. */
export interface InboxAddedData {
  readonly item: InboxItem;
  readonly counts: InboxCounts;
  /**
   * An item this one takes the place of (a group that grew, a snooze that
   * ended): drop it. Ids only grow, so the new item sorts as the newest.
   */
  readonly replaces?: number;
}

/** `data` of `inbox.updated`: the item changed in place (an action ran); show it as given. */
export interface InboxUpdatedData {
  readonly item: InboxItem;
  readonly counts: InboxCounts;
}

/** `data` of `inbox.snoozed`: these items are gone from every list until `until`, when each comes back as `inbox.added` with `replaces`. */
export interface InboxSnoozedData {
  readonly ids: readonly number[];
  readonly until: number;
  readonly counts: InboxCounts;
}

/** `data` of `inbox.preferences`: the user's preferences changed (on any device). */
export type InboxPreferencesData = InboxPreferencesAnswer;

/** What `notify` takes (`POST {base}/inbox/notify` adds `user`). */
export interface InboxNotification {
  /** Default `notification`. 1-64 of A-Z a-z 0-9 _ . : - */
  readonly type?: string;
  /** Required (null for none); at most `maxPayloadBytes` as JSON. */
  readonly data: unknown;
  /** Default: the type. Same characters as `type`. */
  readonly category?: string;
  readonly severity?: InboxSeverity;
  readonly avatar?: string;
  /** 1-{@link INBOX_LABEL_MAX} characters. */
  readonly actor?: string;
  readonly actions?: readonly InboxAction[];
  /** 1-128 characters: notifications with one key collapse into one unread item. */
  readonly group?: string;
}

/** The answer of `notify` when the user muted the category for the inbox: nothing was stored. */
export interface InboxMuted {
  readonly muted: true;
  readonly category: string;
}

/** One category's delivery channels. `push` is kept for a later feature; nothing reads it yet. */
export interface InboxDelivery {
  readonly inbox: boolean;
  readonly toast: boolean;
  readonly push: boolean;
}

export type InboxDeliveryChannel = keyof InboxDelivery;

export interface InboxPreferences {
  /** False: every category but the critical ones is muted on every channel. */
  readonly enabled: boolean;
  /** Categories the user set; one not listed reaches every channel. */
  readonly categories: Readonly<Record<string, InboxDelivery>>;
}

/** What `PUT {base}/inbox/preferences` takes: any part; a category's channels merge with what is set. */
export interface InboxPreferencesPatch {
  readonly enabled?: boolean;
  readonly categories?: Readonly<Record<string, Partial<InboxDelivery>>>;
}

/** `GET` and `PUT {base}/inbox/preferences`, and `inbox.preferences` events. */
export interface InboxPreferencesAnswer {
  readonly channel: string;
  readonly preferences: InboxPreferences;
  /** Categories the application declared critical: they reach every channel whatever is set. */
  readonly critical: readonly string[];
}

/** `POST {base}/inbox/action` (with an `Idempotency-Key` header). */
export interface InboxActionRequestJson {
  readonly id: number;
  readonly action: string;
}

/**
 * The answer of an action: `done` with the item (its `result` set, its
 * actions gone), or `pending` while the application has not answered yet
 * (another request is running it, or the webhook is being delivered): the
 * item then arrives as `inbox.updated`.
 */
export type InboxActionAnswer =
  | { readonly status: 'done'; readonly item: InboxItem; readonly counts: InboxCounts }
  | { readonly status: 'pending'; readonly id: number };

/** `POST {base}/inbox/snooze` */
export interface InboxSnoozeRequestJson {
  readonly ids: readonly number[];
  /** Server time (ms) to come back; in the future, at most {@link INBOX_SNOOZE_MAX_MS} ahead. */
  readonly until: number;
}

export interface InboxSnoozeAnswerJson {
  readonly channel: string;
  readonly counts: InboxCounts;
  /** Items snoozed (unknown, archived or already snoozed ids are left out). */
  readonly snoozed: number;
}

/** `data` of `inbox.changed` on the user's channel: apply `change` to the items held. */
export interface InboxChangedData {
  readonly change: InboxChange;
  readonly counts: InboxCounts;
}

export const INBOX_PAGE_MAX = 100;
export const INBOX_IDS_MAX = 500;
export const INBOX_ACTIONS_MAX = 2;
export const INBOX_LABEL_MAX = 64;
export const INBOX_GROUP_ACTORS = 3;
export const INBOX_URL_MAX = 2048;
export const INBOX_CATEGORIES_MAX = 100;
export const INBOX_SNOOZE_MAX_MS = 366 * 24 * 60 * 60 * 1000;
/** What an item's `body` may use; anything else is text. Links only http(s). */
export const INBOX_FORMATTING = ['**bold**', '_italic_', '`code`', '[text](https://…)'] as const;
/** `type`, `category` and an action's `id`. */
export const INBOX_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Does `change` apply to `item`? */
export function changeTargets(change: InboxTarget, id: number): boolean {
  return 'upTo' in change ? id <= change.upTo : change.ids.includes(id);
}

/** Does `item` belong in the view of `filter`? */
export function inFilter(item: Pick<InboxItem, 'read' | 'archived' | 'snoozedUntil'>, filter: InboxFilter): boolean {
  if ((item.snoozedUntil !== undefined) !== (filter === 'snoozed')) return false;
  if (filter === 'snoozed') return true;
  if (filter === 'archived') return item.archived;
  if (item.archived) return false;
  return filter === 'all' || !item.read;
}
