import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenVerifier } from '../auth/token.js';
import type { Broker } from '../broker/broker.js';
import type { ResolvedGripOptions } from '../grip/grip-options.js';
import { isGripRequest } from '../grip/grip-signature.js';
import { answerGripStream, type GripExpiry } from '../grip/grip-stream.js';
import { originAllowed } from '../http/cors.js';
import { HttpStatusError } from '../http/http-error.js';
import { NOSNIFF } from '../http/nosniff.js';
import { canonicalOrigin } from '../http/origin.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import type { Fanout } from '../stream/fanout.js';
import { holdStream } from '../stream/held-stream.js';
import { iframeError, iframeFormat, iframeHead, iframePreamble } from '../stream/iframe-format.js';
import { parseStreamRequest } from '../stream/stream-request.js';
import { busyError, type Admission } from '../stream/admission.js';

export { IFRAME_PADDING_BYTES, scriptJson, scriptSafe } from '../stream/iframe-format.js';

/**
 * The page origin the frames are posted to. It comes from the query (an
 * iframe navigation sends no Origin header) and is checked against the
 * allowlist exactly as a CORS Origin would be; postMessage's target origin
 * then makes the browser drop the frames if the page is anything else.
 */
function targetOrigin(req: IncomingMessage, url: URL, options: ResolvedOptions): string {
  const given = url.searchParams.get('origin') ?? '';
  // Re-serialized from its parts: only this string reaches the CSP header and the script.
  const origin = canonicalOrigin(given);
  if (!origin || origin !== given) {
    throw new HttpStatusError(400, 'bad-origin', 'Name the page origin the frames are for with ?origin=<scheme://host[:port]>.');
  }
  if (!originAllowed(req, origin, options.allowedOrigins, options.publicOrigins)) {
    throw new HttpStatusError(403, 'origin-forbidden', `Origin ${origin} is not in the server's allowedOrigins (COMET_ALLOWED_ORIGINS).`);
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
  deps: {
    broker: Broker;
    fanout: Fanout;
    options: ResolvedOptions;
    connections: ConnectionRegistry;
    verify: TokenVerifier | undefined;
    grip: ResolvedGripOptions | undefined;
    gripExpiry: GripExpiry | undefined;
    admission: Admission;
  },
): Promise<void> {
  const { options } = deps;
  const origin = targetOrigin(req, url, options);
  const headers = {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, no-transform',
    'X-Accel-Buffering': 'no',
    ...NOSNIFF,
    // Only the page the frames are posted to may embed the stream.
    'Content-Security-Policy': `frame-ancestors ${origin}`,
  };

  // The page cannot read an iframe's status: a refusal (a bad token, a stream limit) is posted like any frame.
  const refuse = (error: unknown): void => {
    if (!(error instanceof HttpStatusError) || res.headersSent) throw error;
    res.writeHead(error.status, { ...headers, ...error.headers });
    res.end(`${iframeHead(origin)}${iframeError({ status: error.status, code: error.code, message: error.message })}</body></html>`);
  };
  const delay = deps.admission.admit();
  if (delay !== undefined) {
    refuse(busyError(delay));
    return;
  }
  let request;
  try {
    request = await parseStreamRequest(req, url, options, deps.verify);
  } catch (error) {
    refuse(error);
    return;
  }

  const format = iframeFormat(options.iframeMaxBytes);
  const response = { headers, preamble: iframePreamble(origin) };
  const { grip } = deps;
  if (grip && isGripRequest(req, grip.signingKey)) {
    await answerGripStream(req, res, url, request, format, response, { ...deps, grip });
    return;
  }
  await holdStream(req, res, request, format, response, deps).catch(refuse);
}
