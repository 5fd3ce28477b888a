/**
 * Plain request helper for Node tests. node:http instead of fetch because
 * fetch forbids or rewrites some headers (Origin, Content-Length) that the
 * server's CORS and body-size checks are tested with.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (throws when it is not). */
  json<T = unknown>(): T;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  /** A string or Buffer is sent as is; anything else as JSON with its Content-Type. */
  readonly body?: unknown;
  /** Sends the body with chunked encoding, no Content-Length, so the server cannot refuse it up front. */
  readonly chunked?: boolean;
}

export function http(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string | number> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
      payload = Buffer.from(options.body);
    } else {
      payload = Buffer.from(JSON.stringify(options.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    if (!options.chunked && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['Content-Length'] = payload.length;
    }
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? (payload ? 'POST' : 'GET'), headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    if (payload && options.chunked) req.write(payload);
    req.end(options.chunked ? undefined : payload);
  });
}
