import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '../../src/protocol/messages.js';

/** A request the server refuses, with a stable `code` and a message that says what to change. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** For bodies assembled from JSON serialized earlier (events, once per publish). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, body);
}
