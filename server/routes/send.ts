import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { TokenVerifier } from '../auth/token.js';
import type { ResolvedOptions } from '../options.js';
import { SendService } from '../send/send-service.js';
import { authenticate } from '../stream/stream-request.js';
import { checkPublishInput } from './publish.js';

/**
 * `POST {base}/send` with the user's token and a JSON body `{ channel, type?, data }`;
 * an `Idempotency-Key` header makes retries of one send store it once.
 * Answers the stored event.
 */
export async function serveSend(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: { options: ResolvedOptions; send: SendService; verify: TokenVerifier | undefined },
): Promise<void> {
  const user = await authenticate(req, url, deps.verify, deps.options);
  const sender = user ? `user:${user.sub}` : `address:${deps.options.clientAddress(req) ?? 'unknown'}`;
  const key = SendService.parseKey(req.headers['idempotency-key']);
  // Before the body is read: a flood is refused without buffering it.
  deps.send.admit(sender);
  const body = await readJsonBody(req, deps.options.maxPayloadBytes, deps.options.bodyTimeoutMs);
  const input = checkPublishInput(body, 'body');
  deps.send.authorize(input.channel, user);
  const { event, replayed } = await deps.send.send({ input, user, sender, key, req });
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  sendJson(res, 200, event);
}
