import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HelloFrame } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { TokenVerifier } from '../auth/token.js';
import { eventJson } from '../broker/event-json.js';
import { originAllowed } from '../http/cors.js';
import { HttpError } from '../http/http-error.js';
import { canonicalOrigin } from '../http/origin.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import { holdStream, type HeldStream } from '../stream/held-stream.js';
import { parseStreamRequest } from '../stream/stream-request.js';

/**
 * Browsers hold back incremental rendering (and so the scripts in it) until
 * the first bytes of a document reach a threshold: about 1 KiB in Chromium
 * and Firefox, historically 2 KiB in Safari and old IE. The first chunk is
 * padded past it so the hello runs at once.
 */
export const IFRAME_PADDING_BYTES = 2048;

/**
 * JSON as a JavaScript expression inside an HTML <script>. `<` only ever
 * occurs inside JSON strings, where `\u003c` means the same; this keeps
 * `</script>` and `<!--` in event data from ending or changing the script
 * element. U+2028/2029 are escaped for engines older than ES2019, where they
 * end a string literal.
 */
export function scriptJson(value: unknown): string {
  return scriptSafe(JSON.stringify(value));
}

/** `scriptJson` for text that is already JSON (an event sealed at publish). */
export function scriptSafe(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

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
    throw new HttpError(400, 'bad-origin', 'Name the page origin the frames are for with ?origin=<scheme://host[:port]>.');
  }
  if (!originAllowed(req, origin, options.allowedOrigins, options.publicOrigins)) {
    throw new HttpError(403, 'origin-forbidden', `Origin ${origin} is not in the server's allowedOrigins (COMET_ALLOWED_ORIGINS).`);
  }
  return origin;
}

function script(kind: string, frame: unknown, cursor?: string): string {
  return scriptOfJson(kind, JSON.stringify(frame), cursor);
}

function scriptOfJson(kind: string, json: string, cursor?: string): string {
  const args = cursor === undefined ? `"${kind}",${scriptSafe(json)}` : `"${kind}",${scriptSafe(json)},${scriptJson(cursor)}`;
  return `<script>p(${args})</script>\n`;
}

function head(origin: string): string {
  // `p` posts one frame to the parent, with the exact origin as target: no other page can read it.
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>cometkit</title>' +
    `<script>var o=${scriptJson(origin)};function p(k,f,c){parent.postMessage({cometkit:1,kind:k,frame:f,cursor:c},o)}</script>` +
    '</head><body>\n'
  );
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
  deps: { broker: Broker; options: ResolvedOptions; connections: ConnectionRegistry; verify: TokenVerifier | undefined },
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

  // The page cannot read an iframe's status: a refusal (a bad token, a stream limit) is posted like any frame.
  const refuse = (error: unknown): void => {
    if (!(error instanceof HttpError) || res.headersSent) throw error;
    res.writeHead(error.status, { ...headers, ...error.headers });
    res.end(`${head(origin)}${script('error', { status: error.status, code: error.code, message: error.message })}</body></html>`);
  };
  let request;
  try {
    request = await parseStreamRequest(req, url, options, deps.verify);
  } catch (error) {
    refuse(error);
    return;
  }

  const { heartbeatMs, iframeMaxBytes } = options;
  /** Frames that move the cursor may end the document; the next one starts from that cursor. */
  const rollOver = (stream: HeldStream): void => {
    if (stream.closed || stream.written < iframeMaxBytes) return;
    stream.write(`${script('end', {})}</body></html>`);
    stream.close();
  };
  await holdStream(
    req,
    res,
    request,
    'iframe',
    {
      headers,
      preamble: `${head(origin)}<!--${' '.repeat(IFRAME_PADDING_BYTES)}-->\n`,
      sink: (stream) => ({
        start(cursor) {
          const hello: HelloFrame = { v: PROTOCOL_VERSION, time: Date.now(), heartbeat: heartbeatMs, cursor, transport: 'iframe' };
          stream.write(script('hello', hello, cursor));
        },
        gap(gap) {
          stream.write(script('gap', gap));
        },
        event(event, cursor) {
          stream.write(scriptOfJson('event', eventJson(event), cursor));
          rollOver(stream);
        },
      }),
      replayed: rollOver,
      heartbeat: (time) => script('heartbeat', { time }),
    },
    deps,
  ).catch(refuse);
}
