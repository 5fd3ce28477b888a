import { HttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { readRefusal } from '../errors/read-refusal.js';
import { resolveToken, type TokenSource } from '../upstream/token-source.js';

/** What a page needs to call the push server's request/response endpoints itself. */
export interface ServerAccess {
  readonly url: string;
  readonly token: TokenSource | undefined;
  readonly withCredentials: boolean;
}

export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, e.g. `send`, `inbox/state`. */
  readonly path: string;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** What the request is for, in the message of a network error. */
  readonly purpose: string;
}

/**
 * One JSON request to the push server with the user's token. A 401 is tried
 * once more when the token comes from a function (it may hand out a fresh
 * one); every other refusal becomes an `HttpStatusError` with the server's
 * code and message.
 */
export async function requestJson<T>(access: ServerAccess, request: JsonRequest): Promise<{ body: T; response: Response }> {
  const target = new URL(`${access.url.replace(/\/+$/, '')}/${request.path}`, globalThis.location?.href);
  for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) target.searchParams.set(name, String(value));
  const text = request.body === undefined ? undefined : JSON.stringify(request.body);
  for (let attempt = 0; ; attempt += 1) {
    const token = await resolveToken(access.token);
    let response: Response;
    try {
      response = await fetch(target, {
        method: request.method,
        headers: {
          ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...request.headers,
        },
        ...(text === undefined ? {} : { body: text }),
        credentials: access.withCredentials ? 'include' : 'same-origin',
        cache: 'no-store',
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (cause) {
      if (request.signal?.aborted) throw cause;
      throw new NetworkError(`The push server could not be reached for ${request.purpose}.`, { cause });
    }
    if (response.status === 401 && attempt === 0 && typeof access.token === 'function') continue;
    if (!response.ok) throw await readRefusal(response);
    const body = (await response.json().catch(() => undefined)) as T | undefined;
    if (body === undefined) throw new HttpStatusError(502, 'bad-response', `The answer to ${request.purpose} is not JSON.`);
    return { body, response };
  }
}
