import { HttpStatusError } from './http-error.js';

/** `429` with the wait in whole seconds, as `Retry-After` wants it. */
export class RateLimitedError extends HttpStatusError {
  /** `what`: what the user did too often, for the message ("sends", "state changes"). */
  constructor(retryAfterMs: number, what = 'sends') {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(429, 'rate-limited', `Too many ${what} from this user; wait ${seconds} s (Retry-After) before trying again.`, { 'Retry-After': String(seconds) });
  }
}
