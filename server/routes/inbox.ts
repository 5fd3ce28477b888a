import type { IncomingMessage, ServerResponse } from 'node:http';
import { INBOX_FILTERS, INBOX_PAGE_MAX, type InboxCountsAnswerJson, type InboxFilter, type InboxNotification, type InboxPage, type InboxSnoozeAnswerJson } from '../../src/protocol/inbox-protocol.js';
import { PRESENCE_USER_PATTERN } from '../../src/protocol/presence-protocol.js';
import { HttpStatusError, sendJson } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import { checkActionRequest, checkInboxChange, type InboxService } from '../inbox/inbox-service.js';
import { SendService } from '../send/send-service.js';
import type { TokenVerifier } from '../auth/token.js';
import type { ResolvedOptions } from '../options.js';
import { authenticate } from '../stream/stream-request.js';
import { requirePublishKey } from './publish.js';
import { RateLimitedError } from '../http/rate-limited-error.js';
import type { RateLimiter } from '../send/rate-limiter.js';

interface InboxDeps {
  readonly options: ResolvedOptions;
  readonly inbox: InboxService;
  readonly verify: TokenVerifier | undefined;
  /** Changes per user: each one that changes something is published to every device of the user. */
  readonly inboxLimiter: RateLimiter;
}

/** Whose inbox: the token's user; without a token, `?user=` when the server accepts anonymous inboxes. */
export async function owner(req: IncomingMessage, url: URL, deps: InboxDeps): Promise<string> {
  const claims = await authenticate(req, url, deps.verify, deps.options);
  if (claims) return claims.sub;
  if (!deps.inbox.anonymous) {
    throw new HttpStatusError(
      401,
      'token-missing',
      "The inbox is a signed-in user's: give createClient a token naming the user (its sub). " +
        `In development, \`cometkit-server --dev\` hands one out: token: () => fetch('${deps.options.basePath}/dev-token?user=ada').then((r) => r.text()).`,
    );
  }
  const user = url.searchParams.get('user') ?? '';
  if (!PRESENCE_USER_PATTERN.test(user)) {
    // The client sends its `identity` option's user as ?user=: that option is what a page sets, not the parameter.
    throw new HttpStatusError(
      400,
      'bad-user',
      "The inbox needs to know whose it is: give createClient a token naming the user, or, on a server without tokens, the identity option (identity: { user: 'ada' }, 1-128 characters).",
    );
  }
  return user;
}

function positiveInteger(url: URL, name: string, fallback: number | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new HttpStatusError(400, `bad-${name}`, `${name} must be an integer from 1 to ${max}.`);
  }
  return value;
}

/** `GET {base}/inbox?filter=&before=&limit=`: one page, newest first. */
export async function serveInboxList(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  const filter = (url.searchParams.get('filter') ?? 'all') as InboxFilter;
  if (!INBOX_FILTERS.includes(filter)) throw new HttpStatusError(400, 'bad-filter', `filter must be one of ${INBOX_FILTERS.join(', ')}.`);
  const limit = positiveInteger(url, 'limit', 20, INBOX_PAGE_MAX)!;
  const before = positiveInteger(url, 'before', undefined);
  const page = await deps.inbox.list(user, filter, before, limit);
  const body: InboxPage = { channel: deps.inbox.channel(user), items: page.items, next: page.next, counts: await deps.inbox.counts(user) };
  sendJson(res, 200, body);
}

/** `GET {base}/inbox/counts` */
export async function serveInboxCounts(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  const body: InboxCountsAnswerJson = { channel: deps.inbox.channel(user), counts: await deps.inbox.counts(user) };
  sendJson(res, 200, body);
}

/** `POST {base}/inbox/state` with `{ ids | upTo, seen?, read?, archived? }` */
export async function serveInboxState(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  limit(user, deps);
  const change = checkInboxChange(await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs));
  const { counts, changed } = await deps.inbox.update(user, change);
  sendJson(res, 200, { channel: deps.inbox.channel(user), counts, changed });
}

/** `POST {base}/inbox/notify` with the publish key and `{ user, type?, data, … }`: a backend adds a notification. */
export async function serveInboxNotify(req: IncomingMessage, res: ServerResponse, deps: InboxDeps): Promise<void> {
  requirePublishKey(req, deps.options);
  const body = await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpStatusError(400, 'bad-event', 'Send {"user", "type"?, "data", …}.');
  const { user, ...notification } = body as Record<string, unknown>;
  if (notification['data'] === undefined) throw new HttpStatusError(400, 'bad-event', 'data is missing (use null for none).');
  const answer = await deps.inbox.notify(user as string, notification as unknown as InboxNotification);
  sendJson(res, 200, answer);
}

/** `GET {base}/inbox/preferences` */
export async function serveInboxPreferences(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  sendJson(res, 200, await deps.inbox.preferences(user));
}

/** `PUT {base}/inbox/preferences` with any part of `{ enabled, categories }`. */
export async function serveInboxSetPreferences(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  limit(user, deps);
  const body = await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs);
  sendJson(res, 200, await deps.inbox.setPreferences(user, body));
}

/** `POST {base}/inbox/action` with `{ id, action }` and an `Idempotency-Key`. */
export async function serveInboxAction(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  limit(user, deps);
  const key = SendService.parseKey(req.headers['idempotency-key']);
  if (!key) throw new HttpStatusError(400, 'idempotency-key-missing', 'An action needs an Idempotency-Key header: one random value per click, repeated on its retries.');
  const { id, action } = checkActionRequest(await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs));
  const answer = await deps.inbox.runAction(user, id, action, key);
  sendJson(res, answer.status === 'done' ? 200 : 202, answer);
}

/** `POST {base}/inbox/snooze` with `{ ids, until }`. */
export async function serveInboxSnooze(req: IncomingMessage, res: ServerResponse, url: URL, deps: InboxDeps): Promise<void> {
  const user = await owner(req, url, deps);
  limit(user, deps);
  const { counts, snoozed } = await deps.inbox.snooze(user, await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs));
  const body: InboxSnoozeAnswerJson = { channel: deps.inbox.channel(user), counts, snoozed };
  sendJson(res, 200, body);
}

/** Every change is published to every device of the user: bounded per user. */
function limit(user: string, deps: InboxDeps): void {
  const decision = deps.inboxLimiter.take(`user:${user}`, Date.now());
  if (!decision.ok) throw new RateLimitedError(decision.retryAfterMs, 'inbox changes');
}
