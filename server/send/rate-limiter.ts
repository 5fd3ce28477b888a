export interface RateLimit {
  /** Sends per second a user may keep up. Default 20. */
  readonly perSecond?: number;
  /** Sends a user may make at once after a quiet moment. Default 40. */
  readonly burst?: number;
}

/** A user's allowance: allowed, or how long until the next send would be. */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/**
 * One token bucket per user. Buckets that have refilled completely carry
 * no information and are dropped, which bounds memory by the users active
 * within one refill time, and `maxUsers` bounds it outright.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #maxUsers: number;

  constructor(limit: RateLimit = {}, maxUsers = 100_000) {
    this.#perSecond = limit.perSecond ?? 20;
    this.#burst = limit.burst ?? Math.max(1, this.#perSecond * 2);
    this.#maxUsers = maxUsers;
    if (!(this.#perSecond > 0) || !(this.#burst >= 1)) {
      throw new TypeError('cometkit server: send.rate perSecond must be positive and burst at least 1.');
    }
  }

  take(user: string, now: number): RateDecision {
    const bucket = this.#buckets.get(user) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(user, bucket);
      return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.#perSecond) * 1000) };
    }
    bucket.tokens -= 1;
    // Re-inserted so the map stays in order of last use, and the least recent user is dropped first.
    this.#buckets.delete(user);
    this.#buckets.set(user, bucket);
    if (this.#buckets.size > this.#maxUsers) this.#prune(now);
    return { ok: true };
  }

  #prune(now: number): void {
    for (const [user, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond >= this.#burst) this.#buckets.delete(user);
    }
    while (this.#buckets.size > this.#maxUsers) this.#buckets.delete(this.#buckets.keys().next().value as string);
  }
}
