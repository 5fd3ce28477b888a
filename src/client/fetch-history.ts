import { HttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { advice } from '../dev.js';
import { endpointOf, readRefusal } from '../errors/read-refusal.js';
import { hidePosition, type CometEvent, type PositionedEvent } from '../protocol/messages.js';
import { checkEvent } from '../protocol/check-event.js';
import { resolveToken } from '../upstream/token-source.js';
import type { ServerAccess } from '../http/server-request.js';

/**
 * `GET {url}/history`: the last `limit` events of a channel, oldest first,
 * each checked like a stream frame: an edge of the browser, so each id is
 * parsed here and the position goes on with its event.
 */
export async function fetchHistory({ url, token: source, withCredentials }: ServerAccess, channel: string, limit: number): Promise<CometEvent[]> {
  const token = await resolveToken(source);
  const target = new URL(`${url.replace(/\/+$/, '')}/history`, globalThis.location?.href);
  target.searchParams.set('ch', channel);
  target.searchParams.set('limit', String(limit));
  let response: Response;
  try {
    response = await fetch(target, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      credentials: withCredentials ? 'include' : 'same-origin',
    });
  } catch (cause) {
    throw new NetworkError('The push server could not be reached for history.', { cause });
  }
  if (!response.ok) throw await readRefusal(response);
  const body = (await response.json().catch(() => undefined)) as { events?: unknown } | undefined;
  // A page, not cometkit's JSON (a dev server's index.html for any path): the client's `url` is no push server.
  if (!Array.isArray(body?.events)) throw new HttpStatusError(response.status, 'not-found', `${endpointOf(target.href)} answered without cometkit's "events": it is no push server.${advice("Check the client's `url`: the push server's base URL, e.g. https://push.example.com/comet.")}`);
  return body.events.flatMap((value: unknown) => {
    const event = checkEvent(value);
    return typeof event === 'string' ? [] : [hidePosition<PositionedEvent>(event)];
  });
}
