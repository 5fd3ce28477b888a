import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { NOSNIFF } from './nosniff.js';

/**
 * A request the server refuses, with a stable `code` and a message that says
 * what to change. The browser SDK receives it under the same name, as its own
 * `HttpStatusError` with this status, code and message.
 */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After` on a 429 or 503. */
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

/** Sends a body that is already JSON text (events are serialized once, at publish). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...NOSNIFF,
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

export function sendError(res: ServerResponse, error: HttpStatusError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Refused before its body was read (a 401, 413 or 429 answered up front): Node would keep
  // reading the rest to reuse the connection, for as long as the client dribbles it in.
  const unread = res.req !== undefined && !res.req.complete;
  sendJson(res, error.status, body, unread ? { ...error.headers, Connection: 'close' } : error.headers);
}
