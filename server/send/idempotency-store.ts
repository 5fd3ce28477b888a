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
  /** Most bytes of stored answers (events as JSON) held at once; the oldest go first. Default 16 MiB. */
  readonly maxBytes?: number;
}

/** Idempotency keys for one process, bounded in count, in bytes and in time. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  /** Map order is insertion order: the first entries are the oldest, which is what expiry and eviction want. */
  readonly #records = new Map<string, { record: IdempotencyRecord; expires: number; bytes: number }>();
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    if (!(this.#ttlMs > 0) || !(this.#maxKeys >= 1) || !(this.#maxBytes >= 1)) {
      throw new TypeError('cometkit server: send.idempotency ttlMs, maxKeys and maxBytes must be positive.');
    }
  }

  get size(): number {
    return this.#records.size;
  }

  /** Bytes of stored answers held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async claim(key: string, record: IdempotencyRecord, now: number): Promise<IdempotencyRecord> {
    this.#expire(now);
    const held = this.#records.get(key);
    if (held) return held.record;
    const entry = { record, expires: now + this.#ttlMs, bytes: 0 };
    this.#records.set(key, entry);
    // The answer's size is known once it is stored; it counts from then on.
    record.event.then(
      (event) => {
        if (this.#records.get(key) !== entry) return;
        entry.bytes = Buffer.byteLength(JSON.stringify(event));
        this.#bytes += entry.bytes;
        this.#evict();
      },
      () => undefined,
    );
    this.#evict();
    return record;
  }

  async release(key: string, record: IdempotencyRecord): Promise<void> {
    if (this.#records.get(key)?.record === record) this.#delete(key);
  }

  async close(): Promise<void> {
    this.#records.clear();
    this.#bytes = 0;
  }

  #evict(): void {
    while (this.#records.size > this.#maxKeys || this.#bytes > this.#maxBytes) this.#delete(this.#records.keys().next().value as string);
  }

  #delete(key: string): void {
    const entry = this.#records.get(key);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    this.#records.delete(key);
  }

  #expire(now: number): void {
    for (const [key, { expires }] of this.#records) {
      if (expires > now) break;
      this.#delete(key);
    }
  }
}
