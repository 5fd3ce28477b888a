import type { IncomingMessage } from 'node:http';
import { HttpStatusError } from './http-error.js';

/**
 * Reads a JSON body of at most `limit` bytes within `timeoutMs`. Larger
 * bodies are refused before they are buffered; a body still arriving after
 * the timeout (a slow-loris client holding a socket and its buffer) gets
 * `408` and the connection is closed behind the answer.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpStatusError(415, 'unsupported-media-type', 'Send the body as JSON with Content-Type: application/json.');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: unknown): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else {
        // Stop reading what is left: the answer goes out and the socket closes after it.
        req.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return done(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = (): void => done();
    const onClose = (): void => {
      if (!req.complete) done(Object.assign(new Error('request aborted'), { code: 'ECONNABORTED' }));
    };
    const timer = setTimeout(
      () => done(new HttpStatusError(408, 'body-timeout', `The body did not arrive within ${timeoutMs} ms (bodyTimeoutMs).`, { Connection: 'close' })),
      timeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpStatusError(400, 'bad-json', `The body is not valid JSON (${(error as Error).message.slice(0, 120)}).`);
  }
}

function tooLarge(limit: number): HttpStatusError {
  return new HttpStatusError(413, 'payload-too-large', `The body is larger than ${limit} bytes (maxPayloadBytes).`, { Connection: 'close' });
}
