import type { IncomingMessage, ServerResponse } from 'node:http';
import { PRESENCE_NAME_MAX, PRESENCE_SESSION_PATTERN, PRESENCE_USER_PATTERN, presenceChannel, type HeartbeatJson } from '../../src/protocol/presence-protocol.js';
import type { RosterJson } from '../../src/protocol/presence-protocol.js';
import type { TokenVerifier } from '../auth/token.js';
import { HttpStatusError, sendJson, sendJsonText } from '../http/http-error.js';
import type { ResolvedOptions } from '../options.js';
import type { PresenceService, ServerPresenceIdentity } from '../presence/presence-service.js';
import { parseStreamRequest, type StreamRequest } from '../stream/stream-request.js';

export interface PresenceDeps {
  readonly options: ResolvedOptions;
  readonly presence: PresenceService;
  readonly verify: TokenVerifier | undefined;
}

/** The channels of a presence request: readable by the bearer, and with a valid `presence:` channel. */
export async function presenceRequest(req: IncomingMessage, url: URL, deps: PresenceDeps): Promise<StreamRequest> {
  const request = await parseStreamRequest(req, url, deps.options, deps.verify);
  for (const channel of request.channels) {
    if (presenceChannel(channel) === undefined) {
      throw new HttpStatusError(400, 'bad-channel', `Channel "${channel.slice(0, 80)}" cannot have presence: it starts with "presence:" or is longer than 119 characters.`);
    }
  }
  return request;
}

export function session(url: URL): string {
  const value = url.searchParams.get('session') ?? '';
  if (!PRESENCE_SESSION_PATTERN.test(value)) {
    throw new HttpStatusError(400, 'bad-session', 'Send ?session= with 8-64 of A-Z a-z 0-9 _ -, one random id per connection.');
  }
  return value;
}

/** The token's user; without a token, the `user` / `name` parameters when the server accepts anonymous presence. */
export function identity(request: StreamRequest, url: URL, presence: PresenceService, sessionId: string): ServerPresenceIdentity {
  if (request.user) return { user: request.user.sub, name: (request.user.name ?? request.user.sub).slice(0, PRESENCE_NAME_MAX), validUntil: request.validUntil };
  if (!presence.anonymous) {
    throw new HttpStatusError(401, 'token-missing', 'Presence needs a token naming the user (its sub): give createClient a token; this server does not accept anonymous presence.');
  }
  // Anonymous presence costs nothing to claim, so each address gets a budget.
  if (!presence.anonymousLimiter.take(request.client ?? 'unknown')) {
    throw new HttpStatusError(429, 'rate-limited', `Anonymous presence is limited to ${presence.anonymousLimiter.limit} requests a minute per address; slow down.`, { 'Retry-After': '5' });
  }
  const user = url.searchParams.get('user') ?? `guest-${sessionId.slice(0, 8)}`;
  if (!PRESENCE_USER_PATTERN.test(user)) throw new HttpStatusError(400, 'bad-user', 'user must be 1-128 characters without control characters.');
  const name = (url.searchParams.get('name') ?? '').replace(/\p{Cc}/gu, '').slice(0, PRESENCE_NAME_MAX) || user.slice(0, PRESENCE_NAME_MAX);
  return { user, name };
}

/** `POST {base}/presence?ch=…&session=…`: this session is (still) on these channels. */
export async function serveHeartbeat(req: IncomingMessage, res: ServerResponse, url: URL, deps: PresenceDeps): Promise<void> {
  const request = await presenceRequest(req, url, deps);
  const sessionId = session(url);
  const who = identity(request, url, deps.presence, sessionId);
  // A session whose token ends before the TTL holds only until then: the client beats again sooner, with a fresh token.
  const ttl = await deps.presence.heartbeat(request.channels, who, sessionId);
  const body: HeartbeatJson = { ttl, user: who.user, name: who.name };
  sendJson(res, 200, body);
}

/** `POST {base}/presence/leave?ch=…&session=…`: this session leaves these channels now. */
export async function serveLeave(req: IncomingMessage, res: ServerResponse, url: URL, deps: PresenceDeps): Promise<void> {
  const request = await presenceRequest(req, url, deps);
  const sessionId = session(url);
  const who = identity(request, url, deps.presence, sessionId);
  await deps.presence.leave(request.channels, who.user, sessionId);
  sendJson(res, 200, { ok: true });
}

/**
 * `GET {base}/presence?ch=…`: who is on each channel. Reading a roster is
 * reading `presence:<channel>`, so that is the channel the bearer must be
 * allowed, exactly as for following its joins and leaves.
 */
export async function serveRoster(req: IncomingMessage, res: ServerResponse, url: URL, deps: PresenceDeps): Promise<void> {
  const channels = [...new Set(url.searchParams.getAll('ch'))];
  const derived = channels.map((channel) => presenceChannel(channel));
  const asRead = new URL(url);
  asRead.searchParams.delete('ch');
  derived.forEach((channel, index) => {
    if (channel === undefined) {
      throw new HttpStatusError(400, 'bad-channel', `Channel "${String(channels[index]).slice(0, 80)}" cannot have presence: it starts with "presence:", is longer than 119 characters or is not a valid channel.`);
    }
    asRead.searchParams.append('ch', channel);
  });
  const request = await parseStreamRequest(req, asRead, deps.options, deps.verify);
  // A roster answers for every channel asked: a subscribe hook that narrows them refuses it.
  if (request.channels.length !== new Set(derived).size) throw new HttpStatusError(403, 'hook-refused', 'The application allows only some of these channels; ask for their rosters one at a time.');
  const rosters = await Promise.all(channels.map((channel) => deps.presence.roster(channel)));
  sendJsonText(res, 200, rosterAnswer(rosters, deps.options.maxAnswerBytes));
}

/**
 * `{"rosters":[…]}` within `maxBytes`: members are kept in arrival order
 * until the budget is spent, and a roster cut short says `"truncated":true`
 * (its count is then a lower bound; joins and leaves still follow).
 */
export function rosterAnswer(rosters: readonly RosterJson[], maxBytes: number): string {
  let budget = maxBytes - 32;
  const parts = rosters.map((roster) => {
    const headText = `{"channel":${JSON.stringify(roster.channel)},"position":${JSON.stringify(roster.position)},"members":[`;
    budget -= headText.length + 24;
    const members: string[] = [];
    for (const member of roster.members) {
      const text = JSON.stringify(member);
      const size = Buffer.byteLength(text) + 1;
      if (size > budget) return `${headText}${members.join(',')}],"truncated":true}`;
      budget -= size;
      members.push(text);
    }
    return `${headText}${members.join(',')}]}`;
  });
  return `{"rosters":[${parts.join(',')}]}`;
}
