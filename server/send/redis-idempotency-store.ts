import { createHash, randomUUID } from 'node:crypto';
import type { CometEvent } from '../../src/protocol/messages.js';
import { HttpStatusError } from '../http/http-error.js';
import { IDEMPOTENCY_COMPLETE, IDEMPOTENCY_RELEASE } from '../redis/idempotency-scripts.js';
import { redisCommand } from '../redis/redis-connection.js';
import type { RedisStoreOptions } from '../redis/redis-store-options.js';
import { StoreConnection } from '../redis/store-connection.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';

export interface RedisIdempotencyStoreOptions extends RedisStoreOptions {
  /** How long a key is remembered (ms). Default 10 minutes. */
  readonly ttlMs?: number;
  /** Longest a retry waits for the first request with its key, stored by another process, before `503 send-in-progress`, which the client retries under the same key (ms). Default 10000. */
  readonly waitMs?: number;
}

interface StoredClaim {
  readonly t: string;
  readonly f: string;
  readonly e?: CometEvent;
}

/**
 * Idempotency keys shared by every process on one Redis (see
 * idempotency-scripts.ts): the first request reserves the key with
 * `SET NX PX`, so a retry reaching any process finds it, and the stored
 * event replaces the reservation once known. Bounded in time by `ttlMs`;
 * each answer is one event, itself bounded by `maxPayloadBytes`.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: StoreConnection;
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #reserveMs: number;
  /** Claims of this process still being stored: a retry reaching this same process waits on the promise, not on Redis. */
  readonly #pending = new Map<string, IdempotencyRecord>();

  constructor(options: RedisIdempotencyStoreOptions) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#waitMs = options.waitMs ?? 10_000;
    if (!(this.#ttlMs >= 1000) || !(this.#waitMs >= 0)) throw new TypeError('cometkit server: send.idempotency ttlMs must be at least 1000 and waitMs not negative.');
    this.#reserveMs = Math.min(this.#ttlMs, this.#waitMs + 5000);
    this.#redis = new StoreConnection(options, 'idempotency keys');
  }

  ready(): Promise<void> {
    return this.#redis.ready;
  }

  async claim(key: string, record: IdempotencyRecord, _now: number): Promise<IdempotencyRecord> {
    const local = this.#pending.get(key);
    if (local) return local;
    const redisKey = this.#key(key);
    const pending = JSON.stringify({ t: randomUUID(), f: record.fingerprint } satisfies StoredClaim);
    const set = await this.#redis.run('reserve the idempotency key', (client) => redisCommand<string | null>(client, ['SET', redisKey, pending, 'NX', 'PX', String(this.#reserveMs)]));
    if (set === 'OK') {
      this.#pending.set(key, record);
      tokens.set(record, pending);
      record.event.then(
        (event) => {
          this.#pending.delete(key);
          const done = JSON.stringify({ ...(JSON.parse(pending) as StoredClaim), e: event });
          // A replay reads the event from here; if Redis is away now, the key stays
          // reserved for its short TTL and a retry meanwhile gets 503, not a second copy.
          IDEMPOTENCY_COMPLETE.run(this.#redis.client, [redisKey], [pending, done, String(this.#ttlMs)]).catch(() => undefined);
        },
        () => this.#pending.delete(key),
      );
      return record;
    }
    return this.#held(redisKey);
  }

  async release(key: string, record: IdempotencyRecord): Promise<void> {
    if (this.#pending.get(key) === record) this.#pending.delete(key);
    const pending = tokens.get(record);
    if (!pending) return;
    // Redis away: the failed send's own error is what its caller needs, not this one; the
    // reservation then ends with its short TTL.
    await IDEMPOTENCY_RELEASE.run(this.#redis.client, [this.#key(key)], [pending]).catch(() => undefined);
  }

  close(): Promise<void> {
    this.#pending.clear();
    return this.#redis.close();
  }

  /** The record of a key another request holds: its event now if stored, or once stored. */
  async #held(redisKey: string): Promise<IdempotencyRecord> {
    const first = await this.#read(redisKey);
    if (!first) throw inProgress('The first request with this Idempotency-Key has just failed or expired; retry it.');
    if (first.e) return { fingerprint: first.f, event: Promise.resolve(first.e) };
    const event = this.#waitForEvent(redisKey, first.t);
    event.catch(() => undefined);
    return { fingerprint: first.f, event };
  }

  /** Reads the key until the first request's event is there, with backoff, for at most waitMs. */
  async #waitForEvent(redisKey: string, token: string): Promise<CometEvent> {
    const deadline = Date.now() + this.#waitMs;
    for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      const claim = await this.#read(redisKey);
      if (!claim || claim.t !== token) throw inProgress('The first request with this Idempotency-Key failed before it was stored; retry it.');
      if (claim.e) return claim.e;
    }
    throw inProgress('The first request with this Idempotency-Key is still being stored; retry it shortly.');
  }

  async #read(redisKey: string): Promise<StoredClaim | undefined> {
    const value = await this.#redis.run('read the idempotency key', (client) => redisCommand<string | null>(client, ['GET', redisKey]));
    return value === null ? undefined : (JSON.parse(value) as StoredClaim);
  }

  #key(key: string): string {
    // Sender and key are client-chosen text of any length: the Redis key is a fixed-size digest of both.
    return `${this.#redis.prefix}send:${createHash('sha256').update(key).digest('base64url')}`;
  }
}

/** The claim token each record of this process holds, so only its owner releases it. */
const tokens = new WeakMap<IdempotencyRecord, string>();

function inProgress(message: string): HttpStatusError {
  return new HttpStatusError(503, 'send-in-progress', message, { 'Retry-After': '1' });
}

/** `createCometServer({ send: { idempotencyStore: redisIdempotencyStore({ url }) } })` */
export function redisIdempotencyStore(options: RedisIdempotencyStoreOptions): RedisIdempotencyStore {
  return new RedisIdempotencyStore(options);
}
