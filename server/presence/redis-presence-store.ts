import { EXPIRE, LEAVE, LEAVE_IN_SLOT, SWEEP_ONE, TOUCH, TOUCH_IN_SLOT, UNINDEX_IF_DUE } from '../redis/presence-scripts.js';
import { brokerUnavailable, closeConnection, connectRedis, connectRedisCluster, redisCommand, REDIS_DEFAULTS, type RedisConnection } from '../redis/redis-connection.js';
import type { PresenceDeparture, PresenceStore, StoredPresenceMember } from './presence-store.js';

export interface RedisPresenceStoreOptions {
  /** `redis://…`, usually the broker's. */
  readonly url: string;
  /** `url` is a node of a Redis Cluster: `true`, or more nodes to reach it through (as `redisBroker`'s). */
  readonly cluster?: readonly string[] | boolean;
  /** Prefix of every key; the same as the broker's. Default `comet:`. */
  readonly keyPrefix?: string;
  /** Longest wait for Redis on one command (ms). Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Most commands waiting for Redis at once; past it, `503 broker-unavailable` at once. Default 1000. */
  readonly maxPendingCommands?: number;
}

/** Sessions swept per call: a sweep after a long outage works through the backlog over several runs. */
const SWEEP_BATCH = 500;

/**
 * Presence shared by every process on one Redis: users per channel in a
 * hash, each user's sessions in a sorted set by expiry, and one index of
 * all sessions by expiry for the sweep (see presence-scripts.ts). Keys carry
 * TTLs too, so presence left behind by processes that all stopped expires.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly #prefix: string;
  readonly #client: RedisConnection;
  readonly #ready: Promise<void>;
  readonly #cluster: boolean;

  constructor(options: RedisPresenceStoreOptions) {
    this.#prefix = options.keyPrefix ?? 'comet:';
    const bounds = {
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
      maxPendingCommands: options.maxPendingCommands ?? REDIS_DEFAULTS.maxPendingCommands,
      role: 'presence',
    };
    this.#cluster = options.cluster !== undefined && options.cluster !== false;
    const { client, ready } = this.#cluster
      ? connectRedisCluster({ ...bounds, urls: [options.url, ...(Array.isArray(options.cluster) ? options.cluster : [])] })
      : connectRedis({ ...bounds, url: options.url });
    this.#client = client;
    this.#ready = ready;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async touch(channel: string, member: { readonly user: string; readonly name: string }, session: string, now: number, expires: number): Promise<boolean> {
    const { users, sessions } = this.#keys(channel, member.user);
    const args = [
      member.user,
      member.name,
      session,
      String(now),
      String(expires),
      JSON.stringify([channel, member.user, session]),
      String(Math.max(1000, expires - now)),
    ];
    if (this.#cluster) {
      const joined = await this.#run('record presence', () => TOUCH_IN_SLOT.run<number>(this.#client, [users, sessions], args));
      // After the session: an index entry for a session not stored would only be swept as a no-op.
      await this.#run('record presence', () => redisCommand(this.#client, ['ZADD', this.#index, args[4]!, args[5]!]));
      return joined === 1;
    }
    const joined = await this.#run('record presence', () =>
      TOUCH.run<number>(this.#client, [users, sessions, this.#index], [
        member.user,
        member.name,
        session,
        String(now),
        String(expires),
        JSON.stringify([channel, member.user, session]),
        String(Math.max(1000, expires - now)),
      ]),
    );
    return joined === 1;
  }

  async leave(channel: string, user: string, session: string): Promise<boolean> {
    const { users, sessions } = this.#keys(channel, user);
    if (this.#cluster) {
      const gone = await this.#run('record a departure', () => LEAVE_IN_SLOT.run<number>(this.#client, [users, sessions], [user, session]));
      await this.#run('record a departure', () => redisCommand(this.#client, ['ZREM', this.#index, JSON.stringify([channel, user, session])]));
      return gone === 1;
    }
    const left = await this.#run('record a departure', () =>
      LEAVE.run<number>(this.#client, [users, sessions, this.#index], [user, session, JSON.stringify([channel, user, session])]),
    );
    return left === 1;
  }

  async expire(now: number): Promise<readonly PresenceDeparture[]> {
    if (this.#cluster) return this.#expireBySlot(now);
    const flat = await this.#run('sweep presence', () => EXPIRE.run<string[]>(this.#client, [this.#index], [String(now), this.#prefix, String(SWEEP_BATCH)]));
    const gone: PresenceDeparture[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) gone.push({ channel: flat[i]!, user: flat[i + 1]! });
    return gone;
  }

  async roster(channel: string): Promise<readonly StoredPresenceMember[]> {
    const reply = await this.#run('read presence', () => redisCommand<string[] | Record<string, string>>(this.#client, ['HGETALL', this.#keys(channel, '').users]));
    // The client hands a hash back as an object (RESP3) or as a flat list of pairs (RESP2).
    const entries = Array.isArray(reply) ? Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i]!, reply[2 * i + 1]!] as const) : Object.entries(reply);
    const members: StoredPresenceMember[] = entries.map(([user, json]) => {
      const { name, since } = JSON.parse(json) as { name: string; since: number };
      return { user, name, since };
    });
    return members.sort((a, b) => a.since - b.since || (a.user < b.user ? -1 : 1));
  }

  async close(): Promise<void> {
    await closeConnection(this.#client);
  }

  /** The sweep on a cluster: the index read on its slot, each session swept on its channel's. */
  async #expireBySlot(now: number): Promise<readonly PresenceDeparture[]> {
    const members = await this.#run('sweep presence', () => redisCommand<string[]>(this.#client, ['ZRANGEBYSCORE', this.#index, '-inf', String(now), 'LIMIT', '0', String(SWEEP_BATCH)]));
    const gone: PresenceDeparture[] = [];
    for (const member of members) {
      let key: unknown;
      try {
        key = JSON.parse(member);
      } catch {
        key = undefined;
      }
      if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string')) {
        const [channel, user, session] = key as [string, string, string];
        const { users, sessions } = this.#keys(channel, user);
        const left = await this.#run('sweep presence', () => SWEEP_ONE.run<number>(this.#client, [users, sessions], [user, session, String(now)]));
        if (left === 1) gone.push({ channel, user });
      }
      await this.#run('sweep presence', () => UNINDEX_IF_DUE.run(this.#client, [this.#index], [member, String(now)]));
    }
    return gone;
  }

  get #index(): string {
    return `${this.#prefix}presence:expiry`;
  }

  #keys(channel: string, user: string): { users: string; sessions: string } {
    const users = `${this.#prefix}{${channel}}:presence`;
    return { users, sessions: `${users}:${user}` };
  }

  async #run<T>(doing: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw brokerUnavailable(error, doing);
    }
  }
}

/** `createCometServer({ presence: { store: redisPresenceStore({ url }) } })` */
export function redisPresenceStore(options: RedisPresenceStoreOptions): RedisPresenceStore {
  return new RedisPresenceStore(options);
}
