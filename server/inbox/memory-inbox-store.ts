import {
  changeTargets,
  inFilter,
  INBOX_GROUP_ACTORS,
  type InboxActionResult,
  type InboxChange,
  type InboxCounts,
  type InboxDelivery,
  type InboxFilter,
  type InboxItem,
  type InboxPreferences,
  type InboxPreferencesPatch,
} from '../../src/protocol/inbox-protocol.js';
import { HttpStatusError } from '../http/http-error.js';
import type { InboxActionClaim, InboxAdded, InboxStore, InboxWoken, NewInboxItem, StoredInboxPage } from './inbox-store.js';

export interface MemoryInboxStoreOptions {
  /** Items kept per user; adding one more drops the oldest. Default 500. */
  readonly maxItemsPerUser?: number;
  /** Users with an inbox; a notification for a new user beyond it is refused (`507 inbox-full`). Default 100000. */
  readonly maxUsers?: number;
  /** Bytes of notification data (as JSON) held for all users; a notification past it is refused (`507 inbox-full`). Default 64 MiB. */
  readonly maxBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface StoredItem extends Mutable<InboxItem> {
  bytes: number;
  claim?: { token: string; expires: number };
}

interface UserInbox {
  lastId: number;
  /** Oldest first; ids only grow, so this is also id order. */
  readonly items: StoredItem[];
  /** Group key → the id of the group's latest item. */
  readonly groups: Map<string, number>;
  preferences?: { enabled: boolean; categories: Map<string, InboxDelivery> };
}

/** Inboxes for one process, bounded in items per user and in users. */
export class MemoryInboxStore implements InboxStore {
  readonly #users = new Map<string, UserInbox>();
  /** Snoozed items by `user \0 id`: the timers of this process. */
  readonly #snoozes = new Map<string, { user: string; id: number; until: number }>();
  /** No snooze ends before this (it may be earlier than the first that does): polls before it cost nothing. */
  #nextWake: number | undefined;
  readonly #maxItems: number;
  readonly #maxUsers: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: MemoryInboxStoreOptions = {}) {
    this.#maxItems = options.maxItemsPerUser ?? 500;
    this.#maxUsers = options.maxUsers ?? 100_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    if (!(this.#maxItems >= 1) || !(this.#maxUsers >= 1) || !(this.#maxBytes >= 1)) {
      throw new TypeError('cometkit server: inbox maxItemsPerUser, maxUsers and maxBytes must be at least 1.');
    }
  }

  async add(user: string, notification: NewInboxItem): Promise<InboxAdded> {
    const { group: key, time, type, data, category: _category, toast: _toast, ...rich } = notification;
    // What a notification holds that its sender chose the size of: data, type and the rich fields given.
    const extra = Object.keys(rich).length > 0 || key !== undefined ? Buffer.byteLength(JSON.stringify({ ...rich, key })) : 0;
    const bytes = Buffer.byteLength(JSON.stringify(data) ?? 'null') + type.length + extra;
    if (this.#bytes + bytes > this.#maxBytes) {
      throw new HttpStatusError(507, 'inbox-full', `The inbox store holds its limit of ${this.#maxBytes} bytes (inbox.maxBytes); raise it or use a shared store.`);
    }
    const inbox = this.#inbox(user, true)!;
    let replaces: StoredItem | undefined;
    if (key !== undefined) {
      const earlier = this.#find(inbox, inbox.groups.get(key));
      if (earlier && !earlier.read && !earlier.archived && earlier.snoozedUntil === undefined) replaces = earlier;
    }
    inbox.lastId += 1;
    const item: StoredItem = {
      id: inbox.lastId,
      type: notification.type,
      data: notification.data,
      time,
      seen: false,
      read: false,
      archived: false,
      category: notification.category ?? notification.type,
      toast: notification.toast ?? true,
      bytes,
    };
    if (notification.severity !== undefined) item.severity = notification.severity;
    if (notification.avatar !== undefined) item.avatar = notification.avatar;
    if (notification.actor !== undefined) item.actor = notification.actor;
    if (notification.actions !== undefined && notification.actions.length > 0) item.actions = notification.actions;
    if (key !== undefined) {
      const actors = notification.actor === undefined ? [] : [notification.actor];
      for (const actor of replaces?.group?.actors ?? []) if (!actors.includes(actor)) actors.push(actor);
      item.group = { key, count: (replaces?.group?.count ?? 0) + 1, actors: actors.slice(0, INBOX_GROUP_ACTORS) };
      inbox.groups.set(key, item.id);
    }
    if (replaces) this.#remove(user, inbox, replaces);
    inbox.items.push(item);
    this.#bytes += bytes;
    if (inbox.items.length > this.#maxItems) {
      for (const dropped of inbox.items.slice(0, inbox.items.length - this.#maxItems)) this.#remove(user, inbox, dropped);
    }
    return replaces ? { item: publicItem(item), replaces: replaces.id } : { item: publicItem(item) };
  }

  /** Bytes of notification data held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<StoredInboxPage> {
    const items = this.#users.get(user)?.items ?? [];
    const page: InboxItem[] = [];
    let index = items.length - 1;
    for (; index >= 0 && page.length < limit; index -= 1) {
      const item = items[index]!;
      if (before !== undefined && item.id >= before) continue;
      if (inFilter(item, filter)) page.push(publicItem(item));
    }
    // Another page exists when an older item of the filter remains.
    let more = false;
    for (; index >= 0 && !more; index -= 1) more = inFilter(items[index]!, filter) && (before === undefined || items[index]!.id < before);
    return { items: page, next: more && page.length > 0 ? page[page.length - 1]!.id : null };
  }

  async counts(user: string): Promise<InboxCounts> {
    let total = 0;
    let unseen = 0;
    let unread = 0;
    for (const item of this.#users.get(user)?.items ?? []) {
      if (item.archived || item.snoozedUntil !== undefined) continue;
      total += 1;
      if (!item.seen) unseen += 1;
      if (!item.read) unread += 1;
    }
    return { total, unseen, unread };
  }

  async update(user: string, change: InboxChange): Promise<number> {
    let changed = 0;
    for (const item of this.#users.get(user)?.items ?? []) {
      if (!changeTargets(change, item.id) || item.snoozedUntil !== undefined) continue;
      let touched = false;
      for (const flag of ['seen', 'read', 'archived'] as const) {
        const value = change.set[flag];
        if (value !== undefined && item[flag] !== value) {
          item[flag] = value;
          touched = true;
        }
      }
      if (touched) changed += 1;
    }
    return changed;
  }

  async get(user: string, id: number): Promise<InboxItem | undefined> {
    const item = this.#find(this.#users.get(user), id);
    return item && publicItem(item);
  }

  async claimAction(user: string, id: number, token: string, leaseMs: number, now: number): Promise<InboxActionClaim> {
    const item = this.#find(this.#users.get(user), id);
    if (!item || item.archived || item.snoozedUntil !== undefined) return { state: 'missing' };
    if (item.result) return { state: 'done', item: publicItem(item) };
    if (item.claim && item.claim.token !== token && item.claim.expires > now) return { state: 'running', item: publicItem(item) };
    item.claim = { token, expires: now + leaseMs };
    return { state: 'claimed', item: publicItem(item) };
  }

  async finishAction(user: string, id: number, token: string, result: InboxActionResult | undefined): Promise<InboxItem | undefined> {
    const item = this.#find(this.#users.get(user), id);
    if (!item || item.claim?.token !== token) return undefined;
    delete item.claim;
    if (result) item.result = result;
    return publicItem(item);
  }

  async snooze(user: string, ids: readonly number[], until: number): Promise<number> {
    const inbox = this.#users.get(user);
    let snoozed = 0;
    for (const id of new Set(ids)) {
      const item = this.#find(inbox, id);
      if (!item || item.archived) continue;
      item.snoozedUntil = until;
      this.#snoozes.set(`${user}\0${id}`, { user, id, until });
      if (this.#nextWake === undefined || until < this.#nextWake) this.#nextWake = until;
      snoozed += 1;
    }
    return snoozed;
  }

  async wake(now: number, limit: number): Promise<readonly InboxWoken[]> {
    const woken: InboxWoken[] = [];
    if (this.#nextWake === undefined || now < this.#nextWake) return woken;
    let next: number | undefined;
    for (const [key, { user, id, until }] of this.#snoozes) {
      if (until > now || woken.length >= limit) {
        if (next === undefined || until < next) next = until;
        continue;
      }
      this.#snoozes.delete(key);
      const inbox = this.#users.get(user);
      const old = this.#find(inbox, id);
      if (!inbox || !old) continue;
      // The group's item again only when no newer item of the group took over meanwhile.
      const owned = old.group !== undefined && inbox.groups.get(old.group.key) === id;
      this.#remove(user, inbox, old);
      inbox.lastId += 1;
      const { snoozedUntil: _until, claim: _claim, ...rest } = old;
      const item: StoredItem = { ...rest, id: inbox.lastId, time: now, seen: false, read: false };
      if (owned) inbox.groups.set(item.group!.key, item.id);
      inbox.items.push(item);
      this.#bytes += item.bytes;
      woken.push({ user, item: publicItem(item), replaces: id });
    }
    this.#nextWake = next;
    return woken;
  }

  nextWake(): number | undefined {
    return this.#nextWake;
  }

  async preferences(user: string): Promise<InboxPreferences> {
    const preferences = this.#users.get(user)?.preferences;
    return { enabled: preferences?.enabled ?? true, categories: Object.fromEntries(preferences?.categories ?? []) };
  }

  async setPreferences(user: string, patch: InboxPreferencesPatch, maxCategories: number): Promise<{ preferences: InboxPreferences; changed: boolean }> {
    const inbox = this.#inbox(user, true)!;
    const current = inbox.preferences ?? { enabled: true, categories: new Map<string, InboxDelivery>() };
    const categories = new Map(current.categories);
    for (const [category, channels] of Object.entries(patch.categories ?? {})) {
      categories.set(category, { ...(categories.get(category) ?? { inbox: true, toast: true, push: true }), ...channels });
    }
    if (categories.size > maxCategories) throw new HttpStatusError(400, 'bad-preferences', `At most ${maxCategories} categories per user.`);
    // Preferences count against maxBytes like notifications: 100 categories for each of many users is memory too.
    const grown = preferencesBytes(categories) - preferencesBytes(current.categories);
    if (grown > 0 && this.#bytes + grown > this.#maxBytes) {
      throw new HttpStatusError(507, 'inbox-full', `The inbox store holds its limit of ${this.#maxBytes} bytes (inbox.maxBytes); raise it or use a shared store.`);
    }
    this.#bytes += grown;
    const next = { enabled: patch.enabled ?? current.enabled, categories };
    const changed =
      next.enabled !== current.enabled ||
      [...categories].some(([category, channels]) => {
        const was = current.categories.get(category);
        return !was || was.inbox !== channels.inbox || was.toast !== channels.toast || was.push !== channels.push;
      });
    inbox.preferences = next;
    return { preferences: await this.preferences(user), changed };
  }

  async close(): Promise<void> {
    this.#users.clear();
    this.#snoozes.clear();
    this.#nextWake = undefined;
    this.#bytes = 0;
  }

  #inbox(user: string, create: boolean): UserInbox | undefined {
    let inbox = this.#users.get(user);
    if (!inbox && create) {
      if (this.#users.size >= this.#maxUsers) {
        throw new HttpStatusError(507, 'inbox-full', `The inbox store holds ${this.#maxUsers} users (inbox.maxUsers); raise the limit or use a shared store.`);
      }
      inbox = { lastId: 0, items: [], groups: new Map() };
      this.#users.set(user, inbox);
    }
    return inbox;
  }

  #find(inbox: UserInbox | undefined, id: number | undefined): StoredItem | undefined {
    if (!inbox || id === undefined) return undefined;
    // Ids only grow: a binary search over the id-ordered list.
    let low = 0;
    let high = inbox.items.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const item = inbox.items[middle]!;
      if (item.id === id) return item;
      if (item.id < id) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  #remove(user: string, inbox: UserInbox, item: StoredItem): void {
    const index = inbox.items.indexOf(item);
    if (index < 0) return;
    inbox.items.splice(index, 1);
    this.#bytes -= item.bytes;
    if (item.group && inbox.groups.get(item.group.key) === item.id) inbox.groups.delete(item.group.key);
    if (item.snoozedUntil !== undefined) this.#snoozes.delete(`${user}\0${item.id}`);
  }
}

/** What a user's categories hold: each name and its three switches. */
function preferencesBytes(categories: ReadonlyMap<string, InboxDelivery>): number {
  let bytes = 0;
  for (const category of categories.keys()) bytes += category.length + 16;
  return bytes;
}

function publicItem(stored: StoredItem): InboxItem {
  const { bytes: _bytes, claim: _claim, ...item } = stored;
  if (item.result) delete item.actions;
  return item;
}
