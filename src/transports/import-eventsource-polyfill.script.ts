/**
 * The script-tag build's polyfill loader: `eventsource-polyfill.js`, built
 * next to `cometkit.iife.js`, is added as a classic script only by browsers
 * without a native EventSource. Its address is resolved against this
 * script's own, captured while it runs (`document.currentScript` is null
 * afterwards), so a page that loads cometkit from a CDN gets the polyfill
 * from the same place.
 */
const base = typeof document !== 'undefined' && document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : undefined;

export function importEventSourcePolyfill(): Promise<typeof EventSource | undefined> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('eventsource-polyfill.js', base ?? location.href).href;
    script.async = true;
    // The polyfill sets window.EventSource only where it is missing.
    script.onload = () => resolve(typeof EventSource === 'function' ? EventSource : undefined);
    script.onerror = () => reject(new Error(`Could not load ${script.src}.`));
    document.head.appendChild(script);
  });
}
