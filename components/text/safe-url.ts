/**
 * The URL when it is http(s), else undefined: event data comes from
 * publishers, and a `javascript:` or `data:` link in a notification would run
 * in the page's origin when clicked.
 */
export function safeHttpUrl(value: unknown, base: string = globalThis.location?.href ?? 'http://localhost/'): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
