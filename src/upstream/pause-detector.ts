/**
 * Tells when this side's event loop stood still: a page in the
 * back/forward cache or frozen, a SharedWorker the browser suspended while
 * all its pages were cached (WebKit), a machine that slept. Frames the
 * network received meanwhile are handed over late and together once the
 * loop runs again, exactly as a buffering proxy would release them; only
 * our own timers can tell the two apart.
 *
 * While armed, a timer runs every `periodMs`. When it runs more than
 * `slackMs` late, or a frame arrives while it is overdue (which of the two
 * the loop gets to first after a pause is up to the engine), `resumed` is
 * called with the time the loop ran again.
 */
export class PauseDetector {
  readonly #resumed: (at: number) => void;
  #periodMs = 0;
  #slackMs = 0;
  #due = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(resumed: (at: number) => void) {
    this.#resumed = resumed;
  }

  arm(now: number, periodMs: number, slackMs: number): void {
    this.stop();
    this.#periodMs = periodMs;
    this.#slackMs = slackMs;
    this.#schedule(now);
  }

  /** A frame arrived at `now`. */
  check(now: number): void {
    if (this.#timer === undefined || now - this.#due <= this.#slackMs) return;
    this.#resumed(now);
    this.#schedule(now);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(now: number): void {
    clearTimeout(this.#timer);
    this.#due = now + this.#periodMs;
    this.#timer = setTimeout(() => {
      const at = Date.now();
      if (at - this.#due > this.#slackMs) this.#resumed(at);
      this.#schedule(at);
    }, this.#periodMs);
  }
}
