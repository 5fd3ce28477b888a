import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** Reads a JSON body of at most `limit` bytes; larger bodies are refused before they are buffered. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'Send the body as JSON with Content-Type: application/json.');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'bad-json', `The body is not valid JSON (${(error as Error).message}).`);
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload-too-large', `The body is larger than ${limit} bytes (maxPayloadBytes).`);
}
