import { advice } from '../dev.js';
import { HttpStatusError } from './http-status-error.js';

/** Where a request went (an absolute URL), without its query, which may carry a token: what an error names. */
export const endpointOf = (url: string): string => url.replace(/\?.*/s, '');

/**
 * Turns a refused response into an HttpStatusError carrying the server's
 * own `code` and `message` (PROTOCOL.md, "Errors"). A body that is not a
 * cometkit error (a proxy's HTML page, say) leaves the status to speak alone.
 * Two refusals are misconfigurations a page's author must fix, and get codes
 * of their own: a 404 from any server (`not-found`, naming the URL: the
 * client's `url` is wrong), and the push server's refusal of the page's
 * origin (`origin-not-allowed`).
 */
export async function readRefusal(response: Response): Promise<HttpStatusError> {
  let code = 'http-error';
  let message = `The push server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  if (response.status === 404) {
    return new HttpStatusError(404, 'not-found', `Nothing answers at ${endpointOf(response.url)}: ${message}${advice("Check the client's `url`: the push server's base URL, e.g. https://push.example.com/comet.")}`);
  }
  // The server's words name the origin and its setting; the code says what the page's author must do.
  return code === 'origin-forbidden'
    ? new HttpStatusError(response.status, 'origin-not-allowed', `${message}${advice(`List ${globalThis.location?.origin} in the push server's COMET_ALLOWED_ORIGINS (the allowedOrigins option).`)}`)
    : new HttpStatusError(response.status, code, message, retryAfterMs(response));
}

/** The server's Retry-After, in ms. Seconds only: the server never sends the date form, and a proxy's date would be its own clock. */
function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') || NaN);
  return seconds >= 0 ? seconds * 1000 : undefined;
}
