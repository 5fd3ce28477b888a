import { redisCommand } from '../redis/redis-connection.js';
import type { RedisStoreOptions } from '../redis/redis-store-options.js';
import { StoreConnection } from '../redis/store-connection.js';
import { PUSHED_ITEMS_MAX, type PushStore, type StoredPushDevice, type PushedItem } from './push-store.js';
import { LuaScript } from '../redis/lua-script.js';

/** Stores a device and renews the hash's TTL at once; a script, so it runs on one server and on a Redis Cluster alike. */
const SET_WITH_TTL = new LuaScript("redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('PEXPIRE', KEYS[1], ARGV[3])");

/** A hash as the client hands it back: an object (RESP3) or a flat list of pairs (RESP2). */
function pairs(reply: string[] | Record<string, string>): Array<readonly [string, string]> {
  return Array.isArray(reply) ? Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i]!, reply[2 * i + 1]!] as const) : Object.entries(reply);
}

/**
 * Push subscriptions shared by every process on one Redis, in the user's
 * slot: `{push:user}:devices` (device → subscription JSON),
 * `{push:user}:visible` (device → visible-until ms) and `{push:user}:pushed`
 * (item id → devices, topic and expiry). Each expires 60 days after the last write:
 * a browser renews its subscription when it starts, so a longer silence is a
 * browser gone.
 */
export class RedisPushStore implements PushStore {
  readonly #redis: StoreConnection;
  static readonly TTL_MS = 60 * 24 * 60 * 60 * 1000;

  constructor(options: RedisStoreOptions) {
    this.#redis = new StoreConnection(options, 'push');
  }

  async put(user: string, device: StoredPushDevice, maxDevices: number): Promise<void> {
    const key = this.#key(user, 'devices');
    await this.#redis.run('store the push subscription', (client) =>
      SET_WITH_TTL.run(client, [key], [device.device, JSON.stringify(device), String(RedisPushStore.TTL_MS)]),
    );
    const stored = await this.devices(user);
    if (stored.length <= maxDevices) return;
    const oldest = [...stored].sort((a, b) => a.updated - b.updated).slice(0, stored.length - maxDevices);
    await this.#redis.run('drop the oldest push subscriptions', (client) => redisCommand(client, ['HDEL', key, ...oldest.map((one) => one.device)]));
  }

  async remove(user: string, device: string, endpoint?: string): Promise<boolean> {
    const key = this.#key(user, 'devices');
    if (endpoint !== undefined) {
      // Only while it is still that subscription: the check and the delete in one script.
      const script = "local v = redis.call('HGET', KEYS[1], ARGV[1]) if v and cjson.decode(v).subscription.endpoint == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";
      const removed = await this.#redis.run('remove the push subscription', (client) => redisCommand<number>(client, ['EVAL', script, '1', key, device, endpoint]));
      return removed === 1;
    }
    const removed = await this.#redis.run('remove the push subscription', (client) => redisCommand<number>(client, ['HDEL', key, device]));
    await this.#redis.run('forget the device visibility', (client) => redisCommand(client, ['HDEL', this.#key(user, 'visible'), device]));
    return removed === 1;
  }

  async devices(user: string): Promise<readonly StoredPushDevice[]> {
    const reply = await this.#redis.run('read the push subscriptions', (client) => redisCommand<string[] | Record<string, string>>(client, ['HGETALL', this.#key(user, 'devices')]));
    return pairs(reply).map(([, json]) => JSON.parse(json) as StoredPushDevice);
  }

  async setVisibleUntil(user: string, device: string, until: number): Promise<void> {
    const key = this.#key(user, 'visible');
    // Only devices with a subscription are tracked: a report for any other name stores nothing.
    const script = "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) redis.call('PEXPIRE', KEYS[2], ARGV[3]) end return 0";
    await this.#redis.run('store the device visibility', (client) => redisCommand(client, ['EVAL', script, '2', this.#key(user, 'devices'), key, device, String(until), String(RedisPushStore.TTL_MS)]));
  }

  async visible(user: string, now: number): Promise<ReadonlySet<string>> {
    const reply = await this.#redis.run('read the device visibility', (client) => redisCommand<string[] | Record<string, string>>(client, ['HGETALL', this.#key(user, 'visible')]));
    return new Set(pairs(reply).filter(([, until]) => Number(until) > now).map(([device]) => device));
  }

  async markPushed(user: string, id: number, devices: readonly string[], expires: number, topic?: string): Promise<void> {
    const key = this.#key(user, 'pushed');
    // Ids only grow: past the bound, the lowest go.
    const script = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) local ids = redis.call('HKEYS', KEYS[1]) if #ids > tonumber(ARGV[4]) then table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end) for i = 1, #ids - tonumber(ARGV[4]) do redis.call('HDEL', KEYS[1], ids[i]) end end return 0";
    await this.#redis.run('remember the pushed item', (client) =>
      redisCommand(client, ['EVAL', script, '1', key, String(id), JSON.stringify({ devices, expires, ...(topic ? { topic } : {}) }), String(RedisPushStore.TTL_MS), String(PUSHED_ITEMS_MAX)]),
    );
  }

  async takePushed(user: string, matches: (id: number) => boolean, now: number): Promise<ReadonlyMap<number, PushedItem>> {
    const key = this.#key(user, 'pushed');
    const reply = await this.#redis.run('read the pushed items', (client) => redisCommand<string[] | Record<string, string>>(client, ['HGETALL', key]));
    const taken = new Map<number, PushedItem>();
    for (const [field, json] of pairs(reply)) {
      const { devices, expires, topic } = JSON.parse(json) as { devices: string[]; expires: number; topic?: string };
      const id = Number(field);
      if (expires <= now || !matches(id)) continue;
      // HDEL answers 1 to one caller only: two processes reading the same change withdraw once.
      const won = await this.#redis.run('take the pushed item', (client) => redisCommand<number>(client, ['HDEL', key, field]));
      if (won === 1) taken.set(id, { devices, ...(typeof topic === 'string' ? { topic } : {}) });
    }
    return taken;
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #key(user: string, part: 'devices' | 'visible' | 'pushed'): string {
    return `${this.#redis.prefix}{push:${user}}:${part}`;
  }
}
