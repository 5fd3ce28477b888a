import { redisBroker } from '../broker/redis-broker.js';
import type { CometServerOptions } from '../options.js';
import { redisPresenceStore } from '../presence/redis-presence-store.js';
import { wholeNumberFromEnv } from './number-from-env.js';

/**
 * With `COMET_REDIS_URL` (or `COMET_REDIS_CLUSTER`, the comma-separated
 * nodes of a Redis Cluster), events and presence live in Redis, so several
 * processes (`--workers N`, or N servers behind a load balancer) share
 * channels; the inbox, idempotency keys and member states follow the broker
 * there (`RedisBroker.sharedStores`). Without it, in this process's memory.
 * `COMET_REDIS_TIMEOUT_MS` and `COMET_REDIS_MAX_PENDING` bound how long a
 * request waits for Redis and how many commands may wait on one connection.
 */
export function storageFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'broker' | 'presence'> {
  const nodes = (env['COMET_REDIS_CLUSTER'] ?? '').split(',').map((node) => node.trim()).filter(Boolean);
  if (nodes.length > 0 && env['COMET_REDIS_URL']) throw new TypeError('cometkit server: set COMET_REDIS_URL (one Redis) or COMET_REDIS_CLUSTER (the nodes of a Redis Cluster), not both.');
  const url = nodes[0] ?? env['COMET_REDIS_URL'];
  if (!url) return {};
  for (const node of nodes.length > 0 ? nodes : [url]) {
    if (!/^rediss?:\/\//.test(node)) throw new TypeError(`cometkit server: ${nodes.length > 0 ? 'COMET_REDIS_CLUSTER entries' : 'COMET_REDIS_URL'} must start with redis:// or rediss://, got "${node.slice(0, 40)}".`);
  }
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
  const cluster = nodes.length > 0 ? { cluster: nodes.slice(1) } : {};
  return {
    broker: redisBroker({ ...connection, ...cluster, ...(historySize ? { historySize } : {}) }),
    presence: { store: redisPresenceStore({ ...connection, ...cluster }) },
  };
}
