import { redisBroker } from '../broker/redis-broker.js';
import type { CometServerOptions } from '../options.js';
import { redisPresenceStore } from '../presence/redis-presence-store.js';

/**
 * With `COMET_REDIS_URL`, events and presence live in Redis, so several
 * processes (`--workers N`, or N servers behind a load balancer) share
 * channels; the inbox, idempotency keys and member states follow the broker
 * there (`RedisBroker.sharedStores`). Without it, in this process's memory.
 */
export function storageFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'broker' | 'presence'> {
  const url = env['COMET_REDIS_URL'];
  if (!url) return {};
  if (!/^rediss?:\/\//.test(url)) throw new TypeError(`cometkit server: COMET_REDIS_URL must start with redis:// or rediss://, got "${url.slice(0, 40)}".`);
  const keyPrefix = env['COMET_REDIS_PREFIX'] || undefined;
  // The history cap is the broker's own on Redis (checked by limitsFromEnv).
  const historySize = Number(env['COMET_HISTORY_SIZE']) || undefined;
  return {
    broker: redisBroker({ url, ...(keyPrefix ? { keyPrefix } : {}), ...(historySize ? { historySize } : {}) }),
    presence: { store: redisPresenceStore({ url, ...(keyPrefix ? { keyPrefix } : {}) }) },
  };
}
