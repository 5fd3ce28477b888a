import type { ReactiveController, ReactiveControllerHost } from 'lit';

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

const formatters = new Map<string, Intl.RelativeTimeFormat>();

/** "5 minutes ago", "now", "yesterday" in `language`; seconds below 45 count as now. */
export function relativeTime(time: number, now: number, language: string): string {
  let formatter = formatters.get(language);
  if (!formatter) {
    try {
      formatter = new Intl.RelativeTimeFormat(language, { numeric: 'auto', style: 'long' });
    } catch {
      formatter = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'long' });
    }
    formatters.set(language, formatter);
  }
  const delta = time - now;
  if (Math.abs(delta) < 45_000) return formatter.format(0, 'second');
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms || unit === 'second') return formatter.format(Math.round(delta / ms), unit);
  }
  return formatter.format(0, 'second');
}

/**
 * Re-renders its host while it shows relative times, on one shared timer for
 * every element, so "2 minutes ago" stays true. The timer stops when no
 * element is connected; a hidden tab is caught up when shown.
 */
export class RelativeTimeController implements ReactiveController {
  static readonly #hosts = new Set<ReactiveControllerHost>();
  static #timer: ReturnType<typeof setInterval> | undefined;
  /** Tick interval; relative times finer than a few seconds would only flicker. */
  static intervalMs = 10_000;
  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The time relative times are computed against during this render. */
  now = Date.now();

  hostConnected(): void {
    RelativeTimeController.#hosts.add(this.#host);
    RelativeTimeController.#timer ??= setInterval(() => {
      if (typeof document !== 'undefined' && document.hidden) return;
      for (const host of RelativeTimeController.#hosts) host.requestUpdate();
    }, RelativeTimeController.intervalMs);
  }

  hostUpdate(): void {
    this.now = Date.now();
  }

  hostDisconnected(): void {
    RelativeTimeController.#hosts.delete(this.#host);
    if (RelativeTimeController.#hosts.size === 0) {
      clearInterval(RelativeTimeController.#timer);
      RelativeTimeController.#timer = undefined;
    }
  }
}
