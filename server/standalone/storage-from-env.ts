import { redisBroker } from '../broker/redis-broker.js';
import type { CometServerOptions } from '../options.js';
import { redisPresenceStore } from '../presence/redis-presence-store.js';
import { wholeNumberFromEnv } from './number-from-env.js';

/**
 * With `COMET_REDIS_URL`, events and presence live in Redis, so several
 * processes (`--workers N`, or N servers behind a load balancer) share
 * channels; the inbox, idempotency keys and member states follow the broker
 * there (`RedisBroker.sharedStores`). Without it, in this process's memory.
 * `COMET_REDIS_TIMEOUT_MS` and `COMET_REDIS_MAX_PENDING` bound how long a
 * request waits for Redis and how many commands may wait on one connection.
 */
export function storageFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'broker' | 'presence'> {
  const url = env['COMET_REDIS_URL'];
  if (!url) return {};
  if (!/^rediss?:\/\//.test(url)) throw new TypeError(`cometkit server: COMET_REDIS_URL must start with redis:// or rediss://, got "${url.slice(0, 40)}".`);
  const keyPrefix = env['COMET_REDIS_PREFIX'] || undefined;
  const commandTimeoutMs = wholeNumberFromEnv(env, 'COMET_REDIS_TIMEOUT_MS');
  const maxPendingCommands = wholeNumberFromEnv(env, 'COMET_REDIS_MAX_PENDING');
  // The history cap is the broker's own on Redis (checked by limitsFromEnv).
  const historySize = Number(env['COMET_HISTORY_SIZE']) || undefined;
  const connection = {
    url,
    ...(keyPrefix ? { keyPrefix } : {}),
    ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}),
    ...(maxPendingCommands !== undefined ? { maxPendingCommands } : {}),
  };
  return {
    broker: redisBroker({ ...connection, ...(historySize ? { historySize } : {}) }),
    presence: { store: redisPresenceStore(connection) },
  };
}
