import { isMissing, MissingDependencyError } from '../optional-dependency.js';

export type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;

/**
 * jose is an optional peer dependency (ARCHITECTURE.md, "Packaging"): loaded
 * the first time a token is signed or verified, so a server without tokens
 * runs without it, and one with tokens says what to install. Its own file,
 * so no public declaration file names jose's types.
 */
export function loadJose(): Promise<Jose> {
  jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    throw isMissing(error, 'jose') ? new MissingDependencyError('jose', 'Tokens (tokenSecret, tokenPublicKey, tokenJwksUrl, signToken, cometkit-server --dev)', error) : error;
  });
  return jose;
}
