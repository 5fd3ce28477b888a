import { changeTargets, inFilter, type InboxChangeJson, type InboxCountsJson, type InboxFilter, type InboxItemJson } from '../../src/inbox/inbox-protocol.js';
import { HttpError } from '../http/http-error.js';
import type { InboxPage, InboxStore } from './inbox-store.js';

export interface MemoryInboxStoreOptions {
  /** Items kept per user; adding one more drops the oldest. Default 500. */
  readonly maxItemsPerUser?: number;
  /** Users with an inbox; a notification for a new user beyond it is refused (`507 inbox-full`). Default 100000. */
  readonly maxUsers?: number;
  /** Bytes of notification data (as JSON) held for all users; a notification past it is refused (`507 inbox-full`). Default 64 MiB. */
  readonly maxBytes?: number;
}

interface UserInbox {
  lastId: number;
  /** Oldest first; ids only grow, so this is also id order. */
  readonly items: Array<{ -readonly [K in keyof InboxItemJson]: InboxItemJson[K] } & { bytes: number }>;
}

/** Inboxes for one process, bounded in items per user and in users. */
export class MemoryInboxStore implements InboxStore {
  readonly #users = new Map<string, UserInbox>();
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

  async add(user: string, notification: { type: string; data: unknown; time: number }): Promise<InboxItemJson> {
    const bytes = Buffer.byteLength(JSON.stringify(notification.data) ?? 'null') + notification.type.length;
    if (this.#bytes + bytes > this.#maxBytes) {
      throw new HttpError(507, 'inbox-full', `The inbox store holds its limit of ${this.#maxBytes} bytes (inbox.maxBytes); raise it or use a shared store.`);
    }
    let inbox = this.#users.get(user);
    if (!inbox) {
      if (this.#users.size >= this.#maxUsers) {
        throw new HttpError(507, 'inbox-full', `The inbox store holds ${this.#maxUsers} users (inbox.maxUsers); raise the limit or use a shared store.`);
      }
      inbox = { lastId: 0, items: [] };
      this.#users.set(user, inbox);
    }
    inbox.lastId += 1;
    const item = { id: inbox.lastId, type: notification.type, data: notification.data, time: notification.time, seen: false, read: false, archived: false, category: notification.type, toast: true, bytes };
    inbox.items.push(item);
    this.#bytes += bytes;
    if (inbox.items.length > this.#maxItems) {
      for (const dropped of inbox.items.splice(0, inbox.items.length - this.#maxItems)) this.#bytes -= dropped.bytes;
    }
    return publicItem(item);
  }

  /** Bytes of notification data held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<InboxPage> {
    const items = this.#users.get(user)?.items ?? [];
    const page: InboxItemJson[] = [];
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

  async counts(user: string): Promise<InboxCountsJson> {
    let total = 0;
    let unseen = 0;
    let unread = 0;
    for (const item of this.#users.get(user)?.items ?? []) {
      if (item.archived) continue;
      total += 1;
      if (!item.seen) unseen += 1;
      if (!item.read) unread += 1;
    }
    return { total, unseen, unread };
  }

  async update(user: string, change: InboxChangeJson): Promise<number> {
    let changed = 0;
    for (const item of this.#users.get(user)?.items ?? []) {
      if (!changeTargets(change, item.id)) continue;
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

  async close(): Promise<void> {
    this.#users.clear();
    this.#bytes = 0;
  }
}

function publicItem({ bytes: _bytes, ...item }: InboxItemJson & { bytes: number }): InboxItemJson {
  return item;
}
