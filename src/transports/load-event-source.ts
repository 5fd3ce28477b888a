import { importEventSourcePolyfill } from './import-eventsource-polyfill.js';

/** Opens an EventSource on `url`, with cookies to another origin when `withCredentials` (where it can). */
export type OpenEventSource = (url: string, withCredentials: boolean) => EventSource;

/**
 * The polyfill's default headers (X-Requested-With, Cache-Control) would need
 * a CORS preflight the server does not allow; Accept is safelisted. It cannot
 * send cookies cross-origin. Once loaded it is also `window.EventSource`,
 * told apart by its `isPolyfill`.
 */
const open =
  (Source: typeof EventSource): OpenEventSource =>
  (url, withCredentials) =>
    'isPolyfill' in Source
      ? new Source(url, { xhrHeaders: { Accept: 'text/event-stream' } } as EventSourceInit)
      : new Source(url, { withCredentials });

let loading: Promise<OpenEventSource> | undefined;

/** True where EventSource is native, or where the polyfill can run (it needs a window and XMLHttpRequest). */
export function canUseEventSource(): boolean {
  return typeof EventSource === 'function' || (typeof window !== 'undefined' && typeof XMLHttpRequest === 'function');
}

/**
 * An opener for the native EventSource, or for eventsource-polyfill fetched
 * on first need. Browsers with a native one never download the polyfill.
 */
export function loadEventSource(): Promise<OpenEventSource> {
  if (typeof EventSource === 'function') return Promise.resolve(open(EventSource));
  loading ??= importEventSourcePolyfill().then((polyfill) => {
    if (typeof polyfill !== 'function') throw new Error('eventsource-polyfill loaded but defined no EventSource.');
    return open(polyfill);
  });
  // A failed load (offline, blocked) may succeed on the next attempt.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
