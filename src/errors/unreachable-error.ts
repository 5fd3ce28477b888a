import { advice } from '../dev.js';
import { CometError } from './comet-error.js';
import { endpointOf } from './read-refusal.js';

/**
 * A request to the push server got no answer the page may read: the server
 * is down, the host or port is wrong, or a server on another origin answered
 * without CORS headers (one that is not cometkit's, at a wrong URL). Says
 * nothing about the transport; cometkit keeps retrying. A `CometError` with
 * its own code rather than a class: the worker carries every byte of it.
 */
export const unreachableError = (url: string, cause: unknown): CometError =>
  new CometError(
    'unreachable',
    `No answer from ${endpointOf(url)}; retrying.${advice("Is the push server running, and is the client's `url` its base URL? A server on another origin must answer with CORS headers (cometkit's does).")}`,
    { cause },
  );
