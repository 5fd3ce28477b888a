import type { Duplex } from 'node:stream';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

/**
 * For `server.on('clientError', answerClientError)`: a request Node's HTTP
 * parser rejects (a malformed request line or header, headers too large, a
 * request too slow to arrive) never reaches a handler. Node's default answer
 * is a bare status line; this one has the JSON error body every other refusal
 * has, then closes the connection.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // A reset or a half-sent request has no one to answer.
  if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE') {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
  const code = status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : status === 413 ? 'payload-too-large' : 'bad-request';
  const body = JSON.stringify({ error: { code, message: `The request could not be parsed as HTTP/1.1 (${error.code ?? 'malformed'}).` } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
