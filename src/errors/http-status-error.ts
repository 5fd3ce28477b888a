import { CometError } from './comet-error.js';

/** The server refused a request; `code` and `message` are the server's own words. */
export class HttpStatusError extends CometError {
  override readonly name = 'HttpStatusError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, `${message} (HTTP ${status})`);
    this.status = status;
  }

  /** 4xx says the request itself is wrong: retrying it unchanged cannot help. 408 and 429 are the exceptions. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export function isHttpStatusError(value: unknown): value is HttpStatusError {
  return (value as { name?: unknown } | null)?.name === 'HttpStatusError';
}
