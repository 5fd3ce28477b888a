import { HttpStatusError } from './http-status-error.js';

/**
 * Turns a refused response into an HttpStatusError carrying the server's
 * own `code` and `message` (PROTOCOL.md, "Errors"). A body that is not a
 * cometkit error (a proxy's HTML page, say) leaves the status to speak alone.
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
  // Seconds only: the server never sends the date form, and a proxy's date would be its own clock.
  const retryAfter = Number(response.headers.get('retry-after') || NaN);
  return new HttpStatusError(response.status, code, message, retryAfter >= 0 ? retryAfter * 1000 : undefined);
}
