import { HttpStatusError } from '../http/http-error.js';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, TOKEN_EXPIRED_MESSAGE, type TokenClaims, type TokenVerifyOptions } from './token.js';

/**
 * When a token stops being accepted (ms since the epoch): its `exp` plus the
 * clock tolerance, exactly when a new request with it would get `401
 * token-expired`. What was opened with the token (a stream, a held poll, a
 * presence session) ends then; a token without `exp` never ends it.
 */
export function tokenValidUntil(claims: TokenClaims | undefined, tokens: TokenVerifyOptions | undefined): number | undefined {
  if (claims?.exp === undefined || !Number.isFinite(claims.exp)) return undefined;
  return (claims.exp + (tokens?.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS)) * 1000;
}

export function tokenExpired(): HttpStatusError {
  return new HttpStatusError(401, 'token-expired', TOKEN_EXPIRED_MESSAGE);
}

/** setTimeout's delay is a signed 32-bit count: a longer one fires at once. A timer for a far expiry is re-armed when it fires early. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
