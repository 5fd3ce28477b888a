import { advice } from '../dev.js';
import { CometError } from './comet-error.js';

/**
 * A part of cometkit loaded on demand (the hub, a transport, presence, an
 * element) could not be fetched: its chunk is missing where the importing
 * file expects it, blocked by CORS or CSP, or the network failed.
 */
export class ModuleLoadError extends CometError {
  override readonly name = 'ModuleLoadError';

  constructor(what: string, cause: unknown) {
    super(
      'module-load-failed',
      `cometkit could not load its ${what} code (${String((cause as Error)?.message ?? cause).slice(0, 200)}).` +
        advice('Serve all of dist/, chunks included, beside the file the page loads (with CORS from another origin).'),
      { cause },
    );
  }
}

/** `load()`, with a failure reported as a ModuleLoadError naming `what`. */
export function loadModule<T>(what: string, load: () => Promise<T>): Promise<T> {
  return load().catch((cause: unknown) => {
    throw new ModuleLoadError(what, cause);
  });
}
