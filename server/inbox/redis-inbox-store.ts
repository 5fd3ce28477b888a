import type { InboxChangeJson, InboxCountsJson, InboxFilter, InboxItemJson } from '../../src/inbox/inbox-protocol.js';
import { INBOX_ADD, INBOX_LIST, INBOX_UPDATE } from '../redis/inbox-scripts.js';
import { StoreConnection, type RedisStoreOptions } from '../redis/store-connection.js';
import type { InboxPage, InboxStore } from './inbox-store.js';

export interface RedisInboxStoreOptions extends RedisStoreOptions {
  /** Items kept per user; adding one more drops the oldest. Default 500. */
  readonly maxItemsPerUser?: number;
  /** An inbox nobody adds to for this long is removed (ms). Default 90 days. */
  readonly ttlMs?: number;
}

/**
 * Inboxes shared by every process on one Redis (keys and scripts in
 * inbox-scripts.ts). Bounded per user by `maxItemsPerUser` and in time by
 * `ttlMs`; the total is Redis's `maxmemory`, past which adds fail with 503.
 */
export class RedisInboxStore implements InboxStore {
  readonly #redis: StoreConnection;
  readonly #maxItems: number;
  readonly #ttlMs: number;

  constructor(options: RedisInboxStoreOptions) {
    this.#maxItems = options.maxItemsPerUser ?? 500;
    this.#ttlMs = options.ttlMs ?? 90 * 24 * 60 * 60 * 1000;
    if (!(this.#maxItems >= 1) || !(this.#ttlMs >= 1000)) {
      throw new TypeError('cometkit server: inbox maxItemsPerUser must be at least 1 and ttlMs at least 1000.');
    }
    this.#redis = new StoreConnection(options, 'inbox');
  }

  ready(): Promise<void> {
    return this.#redis.ready;
  }

  async add(user: string, notification: { readonly type: string; readonly data: unknown; readonly time: number }): Promise<InboxItemJson> {
    const { meta, ids, items, flags } = this.#keys(user);
    const data = JSON.stringify(notification.data) ?? 'null';
    const id = await this.#redis.run('store the notification', (client) =>
      INBOX_ADD.run<number>(client, [meta, ids, items, flags], [JSON.stringify(notification.type), data, String(Math.floor(notification.time)), String(this.#maxItems), String(this.#ttlMs)]),
    );
    return { id, type: notification.type, data: JSON.parse(data) as unknown, time: Math.floor(notification.time), seen: false, read: false, archived: false, category: notification.type, toast: true };
  }

  async list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<InboxPage> {
    const { ids, items, flags } = this.#keys(user);
    const reply = await this.#redis.run('read the inbox', (client) =>
      INBOX_LIST.run<[number, ...string[]]>(client, [ids, items, flags], [filter, before === undefined ? '' : String(before), String(limit)]),
    );
    const [more, ...pairs] = reply;
    const page: InboxItemJson[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const state = pairs[i]!;
      const stored = JSON.parse(pairs[i + 1]!) as Pick<InboxItemJson, 'id' | 'type' | 'data' | 'time'>;
      page.push({ category: stored.type, toast: true, ...stored, seen: state[0] === '1', read: state[1] === '1', archived: state[2] === '1' });
    }
    return { items: page, next: more === 1 && page.length > 0 ? page[page.length - 1]!.id : null };
  }

  async counts(user: string): Promise<InboxCountsJson> {
    const reply = await this.#redis.run('read the inbox counts', (client) => client.sendCommand<Array<string | null>>(['HMGET', this.#keys(user).meta, 'total', 'unseen', 'unread']));
    const [total, unseen, unread] = reply.map((value) => Number(value ?? 0));
    return { total: total!, unseen: unseen!, unread: unread! };
  }

  async update(user: string, change: InboxChangeJson): Promise<number> {
    const { meta, ids, flags } = this.#keys(user);
    const flag = (value: boolean | undefined): string => (value === undefined ? '' : value ? '1' : '0');
    const target = 'upTo' in change ? ['upTo', String(change.upTo)] : ['ids', change.ids.join(',')];
    return this.#redis.run('change the inbox', (client) =>
      INBOX_UPDATE.run<number>(client, [meta, ids, flags], [...target, flag(change.set.seen), flag(change.set.read), flag(change.set.archived)]),
    );
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #keys(user: string): { meta: string; ids: string; items: string; flags: string } {
    const tag = `${this.#redis.prefix}inbox:{${encodeURIComponent(user)}}`;
    return { meta: `${tag}:meta`, ids: `${tag}:ids`, items: `${tag}:items`, flags: `${tag}:flags` };
  }
}

/** `createCometServer({ inbox: { store: redisInboxStore({ url }) } })` */
export function redisInboxStore(options: RedisInboxStoreOptions): RedisInboxStore {
  return new RedisInboxStore(options);
}
