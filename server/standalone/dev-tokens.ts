import type { IncomingMessage, ServerResponse } from 'node:http';
import { PRESENCE_USER_PATTERN } from '../../src/protocol/presence-protocol.js';
import { signToken } from '../auth/token.js';
import type { CometServer } from '../comet-server.js';
import { applyCors } from '../http/cors.js';
import { HttpStatusError, sendError } from '../http/http-error.js';
import { NOSNIFF } from '../http/nosniff.js';
import { requestUrl } from '../http/request-url.js';

/** Long enough for a page's connections, short enough that a token copied out of a dev tool soon stops working. The client asks for a new one per connection. */
export const DEV_TOKEN_SECONDS = 15 * 60;
export const DEV_TOKEN_PATH = '/dev-token';

/**
 * `GET {base}/dev-token?user=<name>` for `cometkit-server --dev` only: an
 * HS256 token, signed with the server's own secret, for whoever the query
 * names, so a page can send and use its inbox before the app has sign-in.
 * The token may read and send on every channel. It answers the same origins
 * as every endpoint (the page's own, and `allowedOrigins`).
 *
 * Resolves false for other paths.
 */
export function devTokens(comet: CometServer, secret: string) {
  const path = `${comet.options.basePath}${DEV_TOKEN_PATH}`;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = requestUrl(req);
    if (url?.pathname !== path) return false;
    try {
      applyCors(req, res, comet.options.allowedOrigins, comet.options.publicOrigins);
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        throw new HttpStatusError(405, 'method-not-allowed', `${path} accepts GET: ${path}?user=<name>.`);
      }
      const user = url.searchParams.get('user') ?? '';
      if (!PRESENCE_USER_PATTERN.test(user)) {
        throw new HttpStatusError(400, 'bad-user', `Name the user the token is for: ${path}?user=ada (1-128 characters without control characters).`);
      }
      const token = await signToken(
        // `*` reaches no presence: channel (reserved): rosters are named as well. Other users' inboxes stay theirs.
        { sub: user, name: user, channels: ['*', 'presence:*'], publish: ['*'], exp: Math.floor(Date.now() / 1000) + DEV_TOKEN_SECONDS },
        secret,
      );
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(token), 'Cache-Control': 'no-store', ...NOSNIFF });
      res.end(token);
    } catch (error) {
      if (!(error instanceof HttpStatusError)) throw error;
      sendError(res, error);
    }
    return true;
  };
}
