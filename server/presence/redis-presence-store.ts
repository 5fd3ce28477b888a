import { EXPIRE, LEAVE, TOUCH } from '../redis/presence-scripts.js';
import { brokerUnavailable, closeConnection, connectRedis, redisCommand, REDIS_DEFAULTS, type RedisConnection } from '../redis/redis-connection.js';
import type { PresenceDeparture, PresenceMember, PresenceStore } from './presence-store.js';

export interface RedisPresenceStoreOptions {
  /** `redis://…`, usually the broker's. */
  readonly url: string;
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

  constructor(options: RedisPresenceStoreOptions) {
    this.#prefix = options.keyPrefix ?? 'comet:';
    const { client, ready } = connectRedis({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
      maxPendingCommands: options.maxPendingCommands ?? REDIS_DEFAULTS.maxPendingCommands,
      role: 'presence',
    });
    this.#client = client;
    this.#ready = ready;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async touch(channel: string, member: { readonly user: string; readonly name: string }, session: string, now: number, expires: number): Promise<boolean> {
    const { users, sessions } = this.#keys(channel, member.user);
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
    const left = await this.#run('record a departure', () =>
      LEAVE.run<number>(this.#client, [users, sessions, this.#index], [user, session, JSON.stringify([channel, user, session])]),
    );
    return left === 1;
  }

  async expire(now: number): Promise<readonly PresenceDeparture[]> {
    const flat = await this.#run('sweep presence', () => EXPIRE.run<string[]>(this.#client, [this.#index], [String(now), this.#prefix, String(SWEEP_BATCH)]));
    const gone: PresenceDeparture[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) gone.push({ channel: flat[i]!, user: flat[i + 1]! });
    return gone;
  }

  async roster(channel: string): Promise<readonly PresenceMember[]> {
    const reply = await this.#run('read presence', () => redisCommand<string[] | Record<string, string>>(this.#client, ['HGETALL', this.#keys(channel, '').users]));
    // The client hands a hash back as an object (RESP3) or as a flat list of pairs (RESP2).
    const entries = Array.isArray(reply) ? Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i]!, reply[2 * i + 1]!] as const) : Object.entries(reply);
    const members: PresenceMember[] = entries.map(([user, json]) => {
      const { name, since } = JSON.parse(json) as { name: string; since: number };
      return { user, name, since };
    });
    return members.sort((a, b) => a.since - b.since || (a.user < b.user ? -1 : 1));
  }

  async close(): Promise<void> {
    await closeConnection(this.#client);
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
