/**
 * Base of every error cometkit reports. Check errors with the type guards,
 * not `instanceof`: an error that crossed a worker or frame boundary was
 * structured-cloned and lost its prototype, but kept `name` and `code`.
 */
export class CometError extends Error {
  override readonly name: string = 'CometError';
  /** Stable, machine-readable reason, e.g. `token-expired`, `malformed-frame`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isCometError(value: unknown): value is CometError {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { name?: unknown }).name === 'string' && /Error$/.test((value as { name: string }).name);
}
