import type { InboxStore, InboxWoken } from './inbox-store.js';

/** Snoozes taken per look; a look that finds this many looks again at once. */
const BATCH = 100;

/**
 * Brings snoozed items back when their time comes: polls the store every
 * `pollMs` (a shared store's snoozes are found by whichever process looks
 * first, also after every process restarted) and wakes at the exact time
 * of a snooze this process set or, for a store that can tell, the next one.
 */
export class SnoozeClock {
  readonly #store: InboxStore;
  readonly #onWoken: (woken: InboxWoken) => Promise<void>;
  readonly #poll: NodeJS.Timeout;
  #armed: { at: number; timer: NodeJS.Timeout } | undefined;
  #looking = false;
  #again = false;
  #stopped = false;

  constructor(store: InboxStore, pollMs: number, onWoken: (woken: InboxWoken) => Promise<void>) {
    if (!(pollMs >= 10)) throw new TypeError('cometkit server: inbox snoozePollMs must be at least 10.');
    this.#store = store;
    this.#onWoken = onWoken;
    this.#poll = setInterval(() => void this.#look(), pollMs);
    this.#poll.unref();
  }

  /** Looks at `at` too (the end of a snooze just set). */
  arm(at: number): void {
    if (this.#stopped || (this.#armed && this.#armed.at <= at)) return;
    if (this.#armed) clearTimeout(this.#armed.timer);
    // setTimeout holds at most 2^31-1 ms; a later snooze is found by the poll.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.#armed = undefined;
      // A timer may fire a moment before Date.now() reaches its time; the store would find nothing due yet.
      if (Date.now() < at) this.arm(at);
      else void this.#look();
    }, delay);
    timer.unref();
    this.#armed = { at, timer };
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#poll);
    if (this.#armed) clearTimeout(this.#armed.timer);
    this.#armed = undefined;
  }

  async #look(): Promise<void> {
    if (this.#stopped) return;
    if (this.#looking) {
      this.#again = true;
      return;
    }
    this.#looking = true;
    try {
      do {
        this.#again = false;
        const woken = await this.#store.wake(Date.now(), BATCH);
        for (const one of woken) await this.#onWoken(one).catch(() => undefined);
        if (woken.length >= BATCH) this.#again = true;
      } while (this.#again && !this.#stopped);
    } catch {
      // The store is away: the next poll tries again, and nothing was taken that is not taken again then.
    } finally {
      this.#looking = false;
    }
    const next = this.#store.nextWake?.();
    if (next !== undefined) this.arm(next);
  }
}
