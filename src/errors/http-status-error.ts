import { CometError } from './comet-error.js';

/** The server refused a request; `code` and `message` are the server's own words. */
export class HttpStatusError extends CometError {
  override readonly name = 'HttpStatusError';
  readonly status: number;
  /** How long the server asked to be left alone (its `Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterMs?: number) {
    super(code, `${message} (HTTP ${status})`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  /** 4xx says the request itself is wrong: retrying it unchanged cannot help. 408 and 429 are the exceptions. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export function isHttpStatusError(value: unknown): value is HttpStatusError {
  return (value as { name?: unknown } | null)?.name === 'HttpStatusError';
}
