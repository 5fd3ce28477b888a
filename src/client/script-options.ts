import type { ClientOptions } from './client.js';

/**
 * The default client's options from a script tag's data attributes, the
 * same for the one-file script and the autoloader: `data-url` (resolved
 * against the script, so a tag served by the push server can say
 * `data-url="/comet"`), `data-token`, `data-worker-url` (resolved against
 * the page: a worker must be on the page's origin), `data-host`, `data-hub`.
 * Undefined without `data-url`: the page then calls `configure()` itself.
 */
export function scriptClientOptions(script: HTMLOrSVGScriptElement | null): ClientOptions | undefined {
  const attribute = (name: string): string | undefined => script?.getAttribute(`data-${name}`) || undefined;
  const url = attribute('url');
  if (!url) return undefined;
  // An SVG script has no `src`: the page's URL then.
  const scriptUrl = (script as HTMLScriptElement | null)?.src || location.href;
  const workerUrl = attribute('worker-url');
  // An attribute left out is an option left out: the client reads `undefined` as its default.
  return {
    url: new URL(url, scriptUrl).href,
    token: attribute('token'),
    workerUrl: workerUrl && new URL(workerUrl, location.href).href,
    // Checked by the client, which throws a clear error for an unknown host.
    host: attribute('host') as ClientOptions['host'],
    hub: attribute('hub'),
  };
}
