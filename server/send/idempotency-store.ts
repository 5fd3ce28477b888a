import type { CometEvent } from '../../src/protocol/messages.js';

/**
 * What one idempotency key stands for: the request it first came with and
 * the event that request stored. A retry of the same request gets the same
 * event; the same key with another request is a client bug, not a retry.
 */
export interface IdempotencyRecord {
  /** `channel` and `type` of the first request with the key. */
  readonly fingerprint: string;
  /** Pending while the first request is being stored, so a retry racing it waits instead of storing again. */
  readonly event: Promise<CometEvent>;
}

/**
 * Where idempotency keys live for `keyTtlMs`. The memory store serves one
 * process; a shared store (Redis: `SET key value NX PX ttl`, then the
 * event once stored) lets a retry that reaches another process find the key.
 */
export interface IdempotencyStore {
  /**
   * Records `record` under `key` unless the key is already there; returns
   * the record that holds the key afterwards (the caller's, or the earlier one).
   */
  claim(key: string, record: IdempotencyRecord, now: number): Promise<IdempotencyRecord>;
  /** Forgets a key whose send failed, so a retry may try again. */
  release(key: string, record: IdempotencyRecord): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** How long a key is remembered (ms). Default 10 minutes. */
  readonly ttlMs?: number;
  /** Most keys held at once; the oldest go first. Default 100000. */
  readonly maxKeys?: number;
}

/** Idempotency keys for one process, bounded in count and in time. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  /** Map order is insertion order: the first entries are the oldest, which is what expiry and eviction want. */
  readonly #records = new Map<string, { record: IdempotencyRecord; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxKeys: number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
    if (!(this.#ttlMs > 0) || !(this.#maxKeys >= 1)) {
      throw new TypeError('cometkit server: send.idempotency ttlMs and maxKeys must be positive.');
    }
  }

  get size(): number {
    return this.#records.size;
  }

  async claim(key: string, record: IdempotencyRecord, now: number): Promise<IdempotencyRecord> {
    this.#expire(now);
    const held = this.#records.get(key);
    if (held) return held.record;
    this.#records.set(key, { record, expires: now + this.#ttlMs });
    while (this.#records.size > this.#maxKeys) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
    return record;
  }

  async release(key: string, record: IdempotencyRecord): Promise<void> {
    if (this.#records.get(key)?.record === record) this.#records.delete(key);
  }

  async close(): Promise<void> {
    this.#records.clear();
  }

  #expire(now: number): void {
    for (const [key, { expires }] of this.#records) {
      if (expires > now) break;
      this.#records.delete(key);
    }
  }
}
