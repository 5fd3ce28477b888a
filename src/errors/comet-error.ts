/** The codes the client raises itself; each is explained where it is raised, and in README ("Errors"). */
export type ClientErrorCode =
  | 'invalid-option'
  | 'invalid-channel'
  | 'invalid-handler'
  | 'client-closed'
  | 'unsubscribed'
  | 'hub-closed'
  | 'token-provider'
  | 'presence-failed'
  | 'module-load-failed'
  | 'network'
  | 'unreachable'
  | 'not-found'
  | 'origin-not-allowed'
  | 'malformed-frame'
  | 'stream-timeout'
  | 'protocol-version'
  | 'http-error'
  | 'bad-response';

/**
 * An error's `code`: one of the client's own, or one the server answered
 * with (an `HttpStatusError`, see PROTOCOL.md), which this type leaves open
 * so that a newer server's codes still type-check.
 */
export type CometErrorCode = ClientErrorCode | (string & Record<never, never>);

/**
 * Base of every error cometkit reports. Check errors with the type guards,
 * not `instanceof`: an error that crossed a worker or frame boundary was
 * structured-cloned and lost its prototype, but kept `name` and `code`.
 */
export class CometError extends Error {
  override readonly name: string = 'CometError';
  /** Stable, machine-readable reason, e.g. `token-expired`, `malformed-frame`. */
  readonly code: CometErrorCode;

  constructor(code: CometErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isCometError(value: unknown): value is CometError {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { name?: unknown }).name === 'string' && /Error$/.test((value as { name: string }).name);
}
