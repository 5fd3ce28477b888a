import {
  INBOX_GROUP_ACTORS,
  type InboxActionResult,
  type InboxChange,
  type InboxCounts,
  type InboxDelivery,
  type InboxFilter,
  type InboxGroup,
  type InboxItem,
  type InboxPreferences,
  type InboxPreferencesPatch,
} from '../../src/protocol/inbox-protocol.js';
import { HttpStatusError } from '../http/http-error.js';
import {
  INBOX_ADD,
  INBOX_CLAIM_ACTION,
  INBOX_FINISH_ACTION,
  INBOX_GET,
  INBOX_GET_PREFERENCES,
  INBOX_LIST,
  INBOX_SET_PREFERENCES,
  INBOX_SNOOZE,
  INBOX_TAKE_DUE,
  INBOX_UPDATE,
  INBOX_USER_KEYS,
  INBOX_WAKE,
} from '../redis/inbox-scripts.js';
import { redisCommand } from '../redis/redis-connection.js';
import type { RedisStoreOptions } from '../redis/redis-store-options.js';
import { StoreConnection } from '../redis/store-connection.js';
import type { InboxActionClaim, InboxAdded, InboxStore, InboxWoken, NewInboxItem, StoredInboxPage } from './inbox-store.js';

export interface RedisInboxStoreOptions extends RedisStoreOptions {
  /** Items kept per user; adding one more drops the oldest. Default 500. */
  readonly maxItemsPerUser?: number;
  /** An inbox nobody adds to for this long is removed (ms), preferences with it. Default 90 days. */
  readonly ttlMs?: number;
  /** How long a process that takes a due snooze holds it before another may take it again (ms). Default 30 s. */
  readonly wakeLeaseMs?: number;
}

/** The stored item parts a script answers with (see PARTS in inbox-scripts.ts). */
const PART_COUNT = 5;

/**
 * Inboxes shared by every process on one Redis (keys and scripts in
 * inbox-scripts.ts). Bounded per user by `maxItemsPerUser` and in time by
 * `ttlMs`; the total is Redis's `maxmemory`, past which adds fail with 503.
 */
export class RedisInboxStore implements InboxStore {
  readonly #redis: StoreConnection;
  readonly #maxItems: number;
  readonly #ttlMs: number;
  readonly #leaseMs: number;

  constructor(options: RedisInboxStoreOptions) {
    this.#maxItems = options.maxItemsPerUser ?? 500;
    this.#ttlMs = options.ttlMs ?? 90 * 24 * 60 * 60 * 1000;
    this.#leaseMs = options.wakeLeaseMs ?? 30_000;
    if (!(this.#maxItems >= 1) || !(this.#ttlMs >= 1000) || !(this.#leaseMs >= 100)) {
      throw new TypeError('cometkit server: inbox maxItemsPerUser must be at least 1, ttlMs at least 1000 and wakeLeaseMs at least 100.');
    }
    this.#redis = new StoreConnection(options, 'inbox');
  }

  ready(): Promise<void> {
    return this.#redis.ready;
  }

  async add(user: string, notification: NewInboxItem): Promise<InboxAdded> {
    const { group, time: rawTime, ...fields } = notification;
    const time = Math.floor(rawTime);
    const category = fields.category ?? fields.type;
    const toast = fields.toast ?? true;
    const stored = { ...fields, category, toast };
    const json = JSON.stringify(stored);
    const [id, replaces, groupJson] = await this.#redis.run('store the notification', (client) =>
      INBOX_ADD.run<[number, number, string]>(client, [...this.#keys(user), this.#prefsKey(user)], [
        json.slice(1, -1),
        String(time),
        String(this.#maxItems),
        String(this.#ttlMs),
        group ?? '',
        fields.actor ?? '',
        String(INBOX_GROUP_ACTORS),
      ]),
    );
    const item = build(['0000', `{"id":${id},"time":${time},${json.slice(1)}`, groupJson, '', '']);
    return replaces > 0 ? { item, replaces } : { item };
  }

  async list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<StoredInboxPage> {
    const reply = await this.#redis.run('read the inbox', (client) =>
      INBOX_LIST.run<[number, ...string[]]>(client, this.#keys(user), [filter, before === undefined ? '' : String(before), String(limit)]),
    );
    const [more, ...parts] = reply;
    const page: InboxItem[] = [];
    for (let i = 0; i + PART_COUNT <= parts.length; i += PART_COUNT) page.push(build(parts.slice(i, i + PART_COUNT)));
    return { items: page, next: more === 1 && page.length > 0 ? page[page.length - 1]!.id : null };
  }

  async counts(user: string): Promise<InboxCounts> {
    const reply = await this.#redis.run('read the inbox counts', (client) => redisCommand<Array<string | null>>(client, ['HMGET', this.#keys(user)[0]!, 'total', 'unseen', 'unread']));
    const [total, unseen, unread] = reply.map((value) => Number(value ?? 0));
    return { total: total!, unseen: unseen!, unread: unread! };
  }

  async update(user: string, change: InboxChange): Promise<number> {
    const flag = (value: boolean | undefined): string => (value === undefined ? '' : value ? '1' : '0');
    const target = 'upTo' in change ? ['upTo', String(change.upTo)] : ['ids', change.ids.join(',')];
    return this.#redis.run('change the inbox', (client) =>
      INBOX_UPDATE.run<number>(client, this.#keys(user), [...target, flag(change.set.seen), flag(change.set.read), flag(change.set.archived)]),
    );
  }

  async get(user: string, id: number): Promise<InboxItem | undefined> {
    const parts = await this.#redis.run('read the inbox', (client) => INBOX_GET.run<string[]>(client, this.#keys(user), [String(id)]));
    return parts.length === PART_COUNT ? build(parts) : undefined;
  }

  async claimAction(user: string, id: number, token: string, leaseMs: number, now: number): Promise<InboxActionClaim> {
    const state = await this.#redis.run('claim the action', (client) =>
      INBOX_CLAIM_ACTION.run<'missing' | 'done' | 'running' | 'claimed'>(client, this.#keys(user), [String(id), token, String(Math.floor(now + leaseMs)), String(Math.floor(now))]),
    );
    if (state === 'missing') return { state };
    const item = await this.get(user, id);
    return item ? { state, item } : { state: 'missing' };
  }

  async finishAction(user: string, id: number, token: string, result: InboxActionResult | undefined): Promise<InboxItem | undefined> {
    const ended = await this.#redis.run('end the action', (client) =>
      INBOX_FINISH_ACTION.run<number>(client, this.#keys(user), [String(id), token, result ? JSON.stringify(result) : '']),
    );
    return ended === 1 ? this.get(user, id) : undefined;
  }

  async snooze(user: string, ids: readonly number[], until: number): Promise<number> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return 0;
    const at = String(Math.floor(until));
    // The shared index first: a process that dies between the two leaves a snooze that wakes as
    // a no-op, never an item hidden for good.
    await this.#redis.run('index the snooze', (client) => redisCommand(client, ['ZADD', this.#snoozesKey(), ...unique.flatMap((id) => [at, this.#member(user, id)])]));
    const keep = String(Math.max(0, Math.floor(until - Date.now())) + this.#ttlMs);
    const snoozed = await this.#redis.run('snooze', (client) => INBOX_SNOOZE.run<string[]>(client, this.#keys(user), [at, keep, ...unique.map(String)]));
    return snoozed.length;
  }

  async wake(now: number, limit: number): Promise<readonly InboxWoken[]> {
    const key = this.#snoozesKey();
    const due = await this.#redis.run('take the snoozes due', (client) =>
      INBOX_TAKE_DUE.run<string[]>(client, [key], [String(Math.floor(now)), String(Math.floor(now + this.#leaseMs)), String(limit)]),
    );
    const woken: InboxWoken[] = [];
    for (const member of due) {
      const space = member.lastIndexOf(' ');
      const user = decodeURIComponent(member.slice(0, space));
      const id = Number(member.slice(space + 1));
      const reply = await this.#redis.run('wake a snooze', (client) => INBOX_WAKE.run<[number, ...Array<string | number>]>(client, this.#keys(user), [String(id), String(Math.floor(now))]));
      if (reply[0] === 1) {
        await this.#redis.run('index the snooze', (client) => redisCommand(client, ['ZADD', key, String(reply[1]), member]));
        continue;
      }
      await this.#redis.run('index the snooze', (client) => redisCommand(client, ['ZREM', key, member]));
      if (reply[0] === 2) woken.push({ user, item: build(['0000', String(reply[2]), String(reply[3]), String(reply[4]), '']), replaces: id });
    }
    return woken;
  }

  async preferences(user: string): Promise<InboxPreferences> {
    const pairs = await this.#redis.run('read the preferences', (client) => INBOX_GET_PREFERENCES.run<string[]>(client, [this.#prefsKey(user)], []));
    let enabled = true;
    const categories: Array<[string, InboxDelivery]> = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const [field, value] = [pairs[i]!, pairs[i + 1]!];
      if (field === 'enabled') enabled = value !== '0';
      else if (field.startsWith('c:')) categories.push([field.slice(2), { inbox: value[0] === '1', toast: value[1] === '1', push: value[2] === '1' }]);
    }
    // fromEntries: a category named "__proto__" stays an own key.
    return { enabled, categories: Object.fromEntries(categories) };
  }

  async setPreferences(user: string, patch: InboxPreferencesPatch, maxCategories: number): Promise<{ preferences: InboxPreferences; changed: boolean }> {
    const flag = (value: boolean | undefined, unchanged: string): string => (value === undefined ? unchanged : value ? '1' : '0');
    const pairs = Object.entries(patch.categories ?? {}).flatMap(([category, channels]) => [category, flag(channels.inbox, '-') + flag(channels.toast, '-') + flag(channels.push, '-')]);
    const changed = await this.#redis.run('store the preferences', (client) =>
      INBOX_SET_PREFERENCES.run<number>(client, [this.#prefsKey(user)], [String(maxCategories), String(this.#ttlMs), flag(patch.enabled, ''), ...pairs]),
    );
    if (changed === -1) throw new HttpStatusError(400, 'bad-preferences', `At most ${maxCategories} categories per user.`);
    return { preferences: await this.preferences(user), changed: changed === 1 };
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #tag(user: string): string {
    return `${this.#redis.prefix}inbox:{${encodeURIComponent(user)}}`;
  }

  #keys(user: string): string[] {
    const tag = this.#tag(user);
    return INBOX_USER_KEYS.map((name) => `${tag}:${name}`);
  }

  #prefsKey(user: string): string {
    return `${this.#tag(user)}:prefs`;
  }

  #snoozesKey(): string {
    return `${this.#redis.prefix}inbox-snoozes`;
  }

  #member(user: string, id: number): string {
    return `${encodeURIComponent(user)} ${id}`;
  }
}

/** An item from its stored parts: flags, item JSON, group JSON or '', result JSON or '', snoozed until or ''. */
function build([flags, json, group, result, until]: readonly (string | number)[]): InboxItem {
  const stored = JSON.parse(String(json)) as Record<string, unknown> & Pick<InboxItem, 'id' | 'type' | 'time'>;
  const state = String(flags);
  const item: Record<string, unknown> = { category: stored.type, toast: true, ...stored, seen: state[0] === '1', read: state[1] === '1', archived: state[2] === '1' };
  if (group) {
    const parsed = JSON.parse(String(group)) as { key: string; count: number; actors: unknown };
    // cjson writes an empty list as {}.
    item['group'] = { key: parsed.key, count: parsed.count, actors: Array.isArray(parsed.actors) ? parsed.actors : [] } satisfies InboxGroup;
  }
  if (result) {
    item['result'] = JSON.parse(String(result)) as InboxActionResult;
    delete item['actions'];
  }
  if (until !== '' && until !== undefined) item['snoozedUntil'] = Number(until);
  return item as unknown as InboxItem;
}

/** `createCometServer({ inbox: { store: redisInboxStore({ url }) } })` */
export function redisInboxStore(options: RedisInboxStoreOptions): RedisInboxStore {
  return new RedisInboxStore(options);
}
