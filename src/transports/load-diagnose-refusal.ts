import { unreachableError } from '../errors/unreachable-error.js';
import type { diagnoseRefusal as diagnose } from './diagnose-refusal.js';

/**
 * Asking a failed stream why, a chunk of its own: a page whose stream opens
 * never fetches it. When the chunk cannot be fetched either, the network is
 * what failed: the answer is the push server's silence (`unreachable`), which
 * the ladder does not count against the transport, as the probe's own fetch
 * failing would be.
 */
export const diagnoseRefusal: typeof diagnose = (url, ...rest) =>
  import('./diagnose-refusal.js').then(
    (module) => module.diagnoseRefusal(url, ...rest),
    (cause: unknown) => unreachableError(url, cause),
  );
