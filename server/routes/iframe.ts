import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from '../broker/broker.js';
import type { ResolvedGripOptions } from '../grip/grip-options.js';
import { isGripRequest } from '../grip/grip-signature.js';
import { answerGripStream } from '../grip/grip-stream.js';
import { HttpError } from '../http/http-error.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import type { Fanout } from '../stream/fanout.js';
import { holdStream } from '../stream/held-stream.js';
import { iframeError, iframeFormat, iframeHead, iframePreamble } from '../stream/iframe-format.js';
import { parseStreamRequest } from '../stream/stream-request.js';

export { IFRAME_PADDING_BYTES, scriptJson } from '../stream/iframe-format.js';

function sameOrigin(req: IncomingMessage, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The page origin the frames are posted to. It comes from the query (an
 * iframe navigation sends no Origin header) and is checked against the
 * allowlist exactly as a CORS Origin would be; postMessage's target origin
 * then makes the browser drop the frames if the page is anything else.
 */
function targetOrigin(req: IncomingMessage, url: URL, options: ResolvedOptions): string {
  const origin = url.searchParams.get('origin') ?? '';
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
    throw new HttpError(400, 'bad-origin', 'Name the page origin the frames are for with ?origin=<scheme://host[:port]>.');
  }
  const allowed = options.allowedOrigins;
  if (allowed !== '*' && !allowed.includes(origin) && !sameOrigin(req, origin)) {
    throw new HttpError(403, 'origin-forbidden', `Origin ${origin} is not in the server's allowedOrigins (COMET_ALLOWED_ORIGINS).`);
  }
  return origin;
}

/**
 * `GET {base}/iframe`: a "forever frame". The page adds a hidden iframe; this
 * document streams one small script per frame, each posting to the parent.
 * The document ends after `iframeMaxBytes`, so the iframe's DOM stays small;
 * the client opens a new one from the last cursor.
 */
export async function serveIframe(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: { broker: Broker; fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry; grip: ResolvedGripOptions | undefined },
): Promise<void> {
  const { options } = deps;
  const origin = targetOrigin(req, url, options);
  const headers = {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, no-transform',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
    // Only the page the frames are posted to may embed the stream.
    'Content-Security-Policy': `frame-ancestors ${origin}`,
  };

  let request;
  try {
    request = parseStreamRequest(req, url, options);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // The page cannot read an iframe's status: the refusal is posted like any frame.
    res.writeHead(error.status, headers);
    res.end(`${iframeHead(origin)}${iframeError({ status: error.status, code: error.code, message: error.message })}</body></html>`);
    return;
  }

  const format = iframeFormat(options.iframeMaxBytes);
  const response = { headers, preamble: iframePreamble(origin) };
  const { grip } = deps;
  if (grip && isGripRequest(req, grip.signingKey)) {
    await answerGripStream(req, res, url, request, format, response, { ...deps, grip });
    return;
  }
  await holdStream(req, res, request, format, response, deps);
}
