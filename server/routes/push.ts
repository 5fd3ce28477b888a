import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PushKeyAnswerJson } from '../../src/protocol/push-protocol.js';
import type { TokenVerifier } from '../auth/token.js';
import { sendJson } from '../http/http-error.js';
import { RateLimitedError } from '../http/rate-limited-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { InboxService } from '../inbox/inbox-service.js';
import type { ResolvedOptions } from '../options.js';
import { PUSH_OFF, type PushService } from '../push/push-service.js';
import type { RateLimiter } from '../send/rate-limiter.js';
import { owner } from './inbox.js';

interface PushDeps {
  readonly options: ResolvedOptions;
  readonly inbox: InboxService;
  readonly push: PushService | undefined;
  readonly verify: TokenVerifier | undefined;
  readonly inboxLimiter: RateLimiter;
}

function service(deps: PushDeps): PushService {
  if (!deps.push) throw PUSH_OFF;
  return deps.push;
}

/** Subscriptions and visibility reports are the inbox user's: bounded per user like inbox changes. */
async function user(req: IncomingMessage, url: URL, deps: PushDeps): Promise<string> {
  const sub = await owner(req, url, deps);
  const decision = deps.inboxLimiter.take(`user:${sub}`, Date.now());
  if (!decision.ok) throw new RateLimitedError(decision.retryAfterMs, 'push changes');
  return sub;
}

/** `GET {base}/push/key`: the VAPID public key for `pushManager.subscribe({ applicationServerKey })`. */
export async function servePushKey(_req: IncomingMessage, res: ServerResponse, deps: PushDeps): Promise<void> {
  const body: PushKeyAnswerJson = { publicKey: service(deps).publicKey };
  sendJson(res, 200, body);
}

/** `GET {base}/push/subscriptions`: the user's devices. */
export async function servePushDevices(req: IncomingMessage, res: ServerResponse, url: URL, deps: PushDeps): Promise<void> {
  const push = service(deps);
  sendJson(res, 200, await push.devices(await owner(req, url, deps)));
}

/** `POST {base}/push/subscriptions` with `{ device, subscription }`. */
export async function servePushSubscribe(req: IncomingMessage, res: ServerResponse, url: URL, deps: PushDeps): Promise<void> {
  const push = service(deps);
  const sub = await user(req, url, deps);
  await push.subscribe(sub, await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs));
  sendJson(res, 201, { subscribed: true, visibleTtlMs: push.visibleTtlMs });
}

/** `DELETE {base}/push/subscriptions?device=` */
export async function servePushUnsubscribe(req: IncomingMessage, res: ServerResponse, url: URL, deps: PushDeps): Promise<void> {
  const push = service(deps);
  const sub = await user(req, url, deps);
  sendJson(res, 200, { removed: await push.unsubscribe(sub, url.searchParams.get('device')) });
}

/** `POST {base}/push/visibility` with `{ device, visible }`. */
export async function servePushVisibility(req: IncomingMessage, res: ServerResponse, url: URL, deps: PushDeps): Promise<void> {
  const push = service(deps);
  const sub = await user(req, url, deps);
  await push.visibility(sub, await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs));
  sendJson(res, 200, { visibleTtlMs: push.visibleTtlMs });
}
