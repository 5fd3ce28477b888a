import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatusError, sendJson } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import { RateLimitedError } from '../http/rate-limited-error.js';
import type { RateLimiter } from '../send/rate-limiter.js';
import { identity, presenceRequest, session, type PresenceDeps } from './presence.js';

/**
 * `POST {base}/presence/state?ch=…&session=…` with `{"state": …}`: this
 * member's small state (typing, away…) on these channels; `null` clears it.
 * Counts as a heartbeat too.
 */
export async function serveState(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: PresenceDeps & { stateLimiter: RateLimiter },
): Promise<void> {
  const request = await presenceRequest(req, url, deps);
  const sessionId = session(url);
  const who = identity(request, url, deps.presence, sessionId);
  const decision = deps.stateLimiter.take(`user:${who.user}`, Date.now());
  if (!decision.ok) throw new RateLimitedError(decision.retryAfterMs, 'state changes');
  const body = (await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs)) as { state?: unknown } | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('state' in body)) {
    throw new HttpStatusError(400, 'bad-state', 'Send {"state": <JSON value>}, or {"state": null} to clear it.');
  }
  const bytes = Buffer.byteLength(JSON.stringify(body.state));
  if (bytes > deps.presence.maxStateBytes) {
    throw new HttpStatusError(413, 'state-too-large', `A member state is at most ${deps.presence.maxStateBytes} bytes of JSON; this one is ${bytes}. Keep it small (typing, away, a cursor).`);
  }
  await deps.presence.setState(request.channels, who, sessionId, body.state);
  sendJson(res, 200, { ok: true });
}
