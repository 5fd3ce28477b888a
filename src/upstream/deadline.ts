/** Beats may be late by up to one interval plus this slack before the stream counts as dead. */
const HEARTBEAT_SLACK_MS = 1000;

/** How long a stream that beats every `intervalMs` may stay silent before it counts as dead. */
export const heartbeatDeadlineMs = (intervalMs: number): number => intervalMs * 2 + HEARTBEAT_SLACK_MS;

/**
 * A deadline on the wall clock. Timers in hidden tabs and sleeping laptops
 * fire late; when this one fires it compares `Date.now()` with the deadline,
 * and only a deadline really passed counts. A late timer whose deadline was
 * pushed back in the meantime simply re-arms.
 */
export class Deadline {
  #at = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onExpire: () => void;

  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  /** Expire `ms` from now, replacing any earlier deadline. */
  arm(ms: number): void {
    this.#at = Date.now() + ms;
    this.#schedule();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Re-checks now (after `visibilitychange`, `online`…) instead of waiting for a throttled timer. */
  check(): void {
    if (this.#timer === undefined) return;
    if (Date.now() >= this.#at) {
      this.clear();
      this.#onExpire();
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (Date.now() >= this.#at) this.#onExpire();
      else this.#schedule();
    }, Math.max(0, this.#at - Date.now()));
  }
}
