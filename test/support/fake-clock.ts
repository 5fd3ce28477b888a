/**
 * A clock a browser test moves by hand, as `t.mock.timers` does in Node:
 * while installed, `setTimeout`, `clearTimeout` and `performance.now` of the
 * page are the clock's, and a timer runs only when `tick` reaches it. A test
 * of a duration then says what happens at the duration, exactly, rather than
 * sleeping for it. Install it around the steps that set and clear the
 * element's timers, and restore it before anything that waits on the real
 * clock (the runner's commands, `waitFor`).
 */
export interface FakeClock {
  /** Moves the clock on by `ms`, running each timer that falls due on the way, in the order due, then set. */
  tick(ms: number): void;
  /** Puts the page's own timers back; timers set on this clock and not run are dropped. */
  restore(): void;
}

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

export function installFakeClock(): FakeClock {
  const real = { setTimeout: window.setTimeout, clearTimeout: window.clearTimeout, now: performance.now };
  let now = real.now.call(performance);
  let order = 0;
  // Ids far above the page's own, so clearing one of those still reaches the page's clock.
  let nextId = 2 ** 30;
  const timers = new Map<number, Timer>();
  window.setTimeout = ((handler: TimerHandler, ms = 0, ...args: unknown[]) => {
    if (typeof handler !== 'function') throw new TypeError('The fake clock runs function timers only.');
    const id = nextId++;
    timers.set(id, { at: now + Math.max(0, Number(ms) || 0), order: order++, run: () => handler(...args) });
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined && !timers.delete(id)) real.clearTimeout.call(window, id);
  }) as typeof window.clearTimeout;
  performance.now = () => now;
  return {
    tick(ms) {
      const until = now + ms;
      for (;;) {
        let next: [number, Timer] | undefined;
        for (const entry of timers) {
          const [, timer] = entry;
          if (timer.at <= until && (!next || timer.at < next[1].at || (timer.at === next[1].at && timer.order < next[1].order))) next = entry;
        }
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].run();
      }
      now = until;
    },
    restore() {
      window.setTimeout = real.setTimeout;
      window.clearTimeout = real.clearTimeout;
      performance.now = real.now;
      timers.clear();
    },
  };
}
