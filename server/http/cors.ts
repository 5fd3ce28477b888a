import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatusError } from './http-error.js';
import { NOSNIFF } from './nosniff.js';
import { canonicalOrigin, isOwnOrigin } from './origin.js';

export type AllowedOrigins = readonly string[] | '*';

/** True when a page of `origin` may read this server: listed, `*`, or the server's own. */
export function originAllowed(req: IncomingMessage, origin: string, allowed: AllowedOrigins, publicOrigins: readonly string[]): boolean {
  return allowed === '*' || allowed.includes(origin) || isOwnOrigin(req, origin, publicOrigins);
}

/**
 * Answers the CORS questions for one request. A request without `Origin`
 * (same-origin GET, curl, a server) passes; a foreign origin must be listed.
 *
 * A refused origin still gets `Access-Control-Allow-Origin` on the error,
 * so the page can read *why* it was refused instead of a bare network error.
 * Its preflight is answered too: a failed preflight is all a
 * page would see, and the request it clears is refused here, before any
 * endpoint runs. Only a well-formed origin is echoed, re-serialized;
 * anything else is refused without CORS headers.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: AllowedOrigins, publicOrigins: readonly string[]): void {
  const origin = allowReadingAnswer(req, res, allowed);
  if (!origin || req.method === 'OPTIONS') return;
  if (!originAllowed(req, origin, allowed, publicOrigins)) {
    throw new HttpStatusError(403, 'origin-forbidden', `Origin ${origin} is not in the server's allowedOrigins (COMET_ALLOWED_ORIGINS).`);
  }
}

/**
 * Lets the page of the request's origin read this answer (a refusal, a
 * 404 for a mistyped path), without allowing that origin anything: the
 * `Access-Control-*` headers, and the canonical origin, or undefined when
 * the request has none.
 */
export function allowReadingAnswer(req: IncomingMessage, res: ServerResponse, allowed: AllowedOrigins): string | undefined {
  const given = req.headers.origin;
  if (typeof given !== 'string' || given === '') return undefined;
  res.setHeader('Vary', 'Origin');
  // Sandboxed frames and file: pages send `Origin: null`: no list can name it, only `*` lets it in.
  const origin = given === 'null' && allowed === '*' ? 'null' : canonicalOrigin(given);
  if (!origin) throw new HttpStatusError(403, 'origin-forbidden', 'The Origin header is not an origin this server can allow (scheme://host[:port]).');
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (allowed !== '*') res.setHeader('Access-Control-Allow-Credentials', 'true');
  // A page reads how long a 429 asks it to wait, and whether a send was a replay of an earlier one.
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Idempotent-Replayed');
  return origin;
}

export function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, PUT, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Idempotency-Key',
    'Access-Control-Max-Age': '600',
    ...NOSNIFF,
  });
  res.end();
}
