import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';

export type AllowedOrigins = readonly string[] | '*';

function sameOrigin(req: IncomingMessage, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Answers the CORS questions for one request. A request without `Origin`
 * (same-origin GET, curl, a server) passes; a foreign origin must be listed.
 *
 * A refused origin still gets `Access-Control-Allow-Origin` on the error,
 * so the page can read *why* it was refused instead of a bare network error.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: AllowedOrigins): void {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '') return;
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (allowed !== '*') res.setHeader('Access-Control-Allow-Credentials', 'true');
  // A page reads how long a 429 asks it to wait, and whether a send was a replay of an earlier one.
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Idempotent-Replayed');
  const ok = allowed === '*' || allowed.includes(origin) || sameOrigin(req, origin);
  if (!ok) {
    throw new HttpError(403, 'origin-forbidden', `Origin ${origin} is not in the server's allowedOrigins (COMET_ALLOWED_ORIGINS).`);
  }
}

export function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Idempotency-Key',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}
