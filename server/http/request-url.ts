import type { IncomingMessage } from 'node:http';

const ORIGIN = 'http://localhost';

/**
 * The request target as a URL, or undefined when it is not one. Only the
 * origin-form (`/path?query`) and absolute-form targets are accepted. The
 * path is resolved against a fixed origin rather than parsed on its own, so
 * `//[` is a path, not a scheme-relative URL with a broken host that throws.
 */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  try {
    if (target.startsWith('/')) return new URL(ORIGIN + target);
    if (/^https?:\/\//i.test(target)) {
      const absolute = new URL(target);
      return new URL(ORIGIN + absolute.pathname + absolute.search);
    }
  } catch {
    // Falls through: not a URL.
  }
  return undefined;
}
