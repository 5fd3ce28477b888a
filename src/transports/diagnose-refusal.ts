import { advice } from '../dev.js';
import type { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { readRefusal } from '../errors/read-refusal.js';
import { unreachableError } from '../errors/unreachable-error.js';

/**
 * EventSource hides the status of a refused response: it only fires `error`
 * and closes. To tell a bad token from a server hiccup, the same URL is
 * fetched once and the server's JSON error read. A 200 this time means the
 * refusal was passing; the body is dropped unread.
 */
export async function diagnoseRefusal(
  url: string,
  withCredentials: boolean,
  signal?: AbortSignal,
  expectedType = 'text/event-stream',
): Promise<CometError> {
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: withCredentials ? 'include' : 'same-origin', headers: { Accept: 'application/json' } });
  } catch (cause) {
    return unreachableError(url, cause);
  }
  if (response.ok) {
    void response.body?.cancel().catch(() => {});
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith(expectedType)) {
      return new HttpStatusError(502, 'bad-content-type', `The stream answered with Content-Type "${type}" instead of ${expectedType}.${advice('Is a proxy rewriting it?')}`);
    }
    return new NetworkError('The stream was refused once, then accepted; retrying.');
  }
  return readRefusal(response);
}
