import { importEventSourcePolyfill } from './import-eventsource-polyfill.js';

let loading: Promise<typeof EventSource> | undefined;

/** True where EventSource is native, or where the polyfill can run (it needs a window and XMLHttpRequest). */
export function canUseEventSource(): boolean {
  return typeof EventSource === 'function' || (typeof window !== 'undefined' && typeof XMLHttpRequest === 'function');
}

/**
 * The native EventSource, or eventsource-polyfill fetched on first need.
 * Browsers with a native one never download the polyfill.
 */
export function loadEventSource(): Promise<typeof EventSource> {
  if (typeof EventSource === 'function') return Promise.resolve(EventSource);
  loading ??= importEventSourcePolyfill().then((polyfill) => {
    if (typeof polyfill !== 'function') throw new Error('eventsource-polyfill loaded but defined no EventSource.');
    return polyfill;
  });
  // A failed load (offline, blocked) may succeed on the next attempt.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
