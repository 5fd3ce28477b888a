import { CometError } from './comet-error.js';

/** The connection broke or could not be made; cometkit retries with backoff. */
export class NetworkError extends CometError {
  override readonly name = 'NetworkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('network', message, options);
  }
}
