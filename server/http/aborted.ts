import type { IncomingMessage } from 'node:http';

/** Codes Node gives a request whose client hung up or whose socket broke mid-body. */
const ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** True when `error` only says the client went away: nothing to answer and nothing worth logging. */
export function isAbortedRequest(req: IncomingMessage, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && ABORT_CODES.has(code)) return true;
  return req.destroyed && !req.complete;
}
