/**
 * Sends bytes as they are to a loopback server and reads what comes back:
 * for requests no HTTP client would send (broken request lines, bad
 * headers, lying Content-Length). A streaming answer (SSE, iframe) is taken
 * once its head has arrived.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** True when the answer was a held stream, read only up to its head. */
  readonly streaming: boolean;
}

/** Resolves with the answer, or undefined when the server closed or said nothing within `timeoutMs`. */
export function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 3000): Promise<RawAnswer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (answer: RawAnswer | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(parse(received, true)), timeoutMs);
    socket.on('error', () => finish(parse(received, true)));
    socket.on('close', () => finish(parse(received, true)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse(received, false);
      if (answer) finish(answer);
    });
    socket.on('connect', () => {
      // The server may answer and close before everything is written: that is an answer, not a failure.
      socket.write(bytes, () => {});
    });
  });
}

/** A complete answer from the bytes so far, or undefined while more is due. */
function parse(bytes: Buffer, ended: boolean): RawAnswer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(end + 4);
  const length = headers['content-length'];
  if (length !== undefined) {
    if (rest.length < Number(length)) return ended ? { status, headers, body: rest.toString('utf8'), streaming: false } : undefined;
    return { status, headers, body: rest.subarray(0, Number(length)).toString('utf8'), streaming: false };
  }
  // No length: a stream held open (SSE, iframe) or a body closed by the connection's end.
  if (status === 200 || status === 204 || ended) return { status, headers, body: rest.toString('utf8'), streaming: !ended };
  return undefined;
}
