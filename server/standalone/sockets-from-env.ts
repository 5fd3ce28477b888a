import type { StandaloneSocketOptions } from '../standalone.js';
import { wholeNumberFromEnv } from './number-from-env.js';
import { trustedProxiesFromEnv } from './proxy-from-env.js';

/**
 * The standalone server's socket bounds: `COMET_HEADERS_TIMEOUT_MS`,
 * `COMET_REQUEST_TIMEOUT_MS`, `COMET_KEEP_ALIVE_TIMEOUT_MS`,
 * `COMET_MAX_SOCKETS_PER_ADDRESS` (defaults in SOCKET_DEFAULTS); the
 * proxies of `COMET_TRUST_PROXY` are not capped per address.
 */
export function socketsFromEnv(env: NodeJS.ProcessEnv = process.env): StandaloneSocketOptions {
  const headersTimeoutMs = wholeNumberFromEnv(env, 'COMET_HEADERS_TIMEOUT_MS');
  const requestTimeoutMs = wholeNumberFromEnv(env, 'COMET_REQUEST_TIMEOUT_MS');
  const keepAliveTimeoutMs = wholeNumberFromEnv(env, 'COMET_KEEP_ALIVE_TIMEOUT_MS');
  const maxSocketsPerAddress = wholeNumberFromEnv(env, 'COMET_MAX_SOCKETS_PER_ADDRESS');
  const trustedProxies = trustedProxiesFromEnv(env);
  return {
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(keepAliveTimeoutMs !== undefined ? { keepAliveTimeoutMs } : {}),
    ...(maxSocketsPerAddress !== undefined ? { maxSocketsPerAddress } : {}),
    ...(trustedProxies ? { trustedProxies } : {}),
  };
}
