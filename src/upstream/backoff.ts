export interface BackoffOptions {
  /** First retry waits up to this long (ms). Default 1000. */
  readonly baseDelayMs?: number;
  /** No retry waits longer (ms). Default 30000. */
  readonly maxDelayMs?: number;
}

/**
 * Full-jitter exponential backoff: each wait is uniform in
 * [0, min(max, base · 2^attempt)]. The randomness spreads a crowd of
 * clients that lost the same server, so they do not return in one wave.
 */
export class Backoff {
  #attempt = 0;
  readonly #base: number;
  readonly #max: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#base = options.baseDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 30_000;
    this.#random = random;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The wait before the next attempt; each call counts one attempt. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#base * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceiling);
  }

  /** A stream that proved healthy (said hello) starts the count over. */
  reset(): void {
    this.#attempt = 0;
  }
}
