import { redisCommand } from '../redis/redis-connection.js';
import type { RedisStoreOptions } from '../redis/redis-store-options.js';
import { StoreConnection } from '../redis/store-connection.js';
import type { PresenceStateStore } from './presence-state-store.js';
import { LuaScript } from '../redis/lua-script.js';

/** Stores a state and renews the hash's TTL at once; a script, so it runs on one server and on a cluster alike. */
const SET_STATE = new LuaScript("redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('PEXPIRE', KEYS[1], ARGV[3])");

export interface RedisPresenceStateStoreOptions extends RedisStoreOptions {
  /** A channel's states go this long after the last one was set (ms), should every process stop before clearing them. Default 24 h. */
  readonly ttlMs?: number;
}

/**
 * Member states shared by every process on one Redis: one hash per channel,
 * `{channel}:states` (user → state JSON), beside the channel's presence keys
 * in the same slot.
 */
export class RedisPresenceStateStore implements PresenceStateStore {
  readonly #redis: StoreConnection;
  readonly #ttlMs: number;

  constructor(options: RedisPresenceStateStoreOptions) {
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    if (!(this.#ttlMs >= 1000)) throw new TypeError('cometkit server: presence state ttlMs must be at least 1000.');
    this.#redis = new StoreConnection(options, 'presence states');
  }

  ready(): Promise<void> {
    return this.#redis.ready;
  }

  async set(channel: string, user: string, state: unknown): Promise<void> {
    const key = this.#key(channel);
    if (state === undefined) {
      await this.#redis.run('clear the member state', (client) => redisCommand(client, ['HDEL', key, user]));
      return;
    }
    await this.#redis.run('store the member state', (client) => SET_STATE.run(client, [key], [user, JSON.stringify(state), String(this.#ttlMs)]));
  }

  async all(channel: string): Promise<ReadonlyMap<string, unknown>> {
    const reply = await this.#redis.run('read the member states', (client) => redisCommand<string[] | Record<string, string>>(client, ['HGETALL', this.#key(channel)]));
    // The client hands a hash back as an object (RESP3) or as a flat list of pairs (RESP2).
    const entries = Array.isArray(reply) ? Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i]!, reply[2 * i + 1]!] as const) : Object.entries(reply);
    return new Map(entries.map(([user, json]) => [user, JSON.parse(json) as unknown]));
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #key(channel: string): string {
    return `${this.#redis.prefix}{${channel}}:states`;
  }
}

/** `createCometServer({ presence: { stateStore: redisPresenceStateStore({ url }) } })` */
export function redisPresenceStateStore(options: RedisPresenceStateStoreOptions): RedisPresenceStateStore {
  return new RedisPresenceStateStore(options);
}
