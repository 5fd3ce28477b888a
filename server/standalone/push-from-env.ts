import type { PushOptions } from '../push/push-service.js';

/**
 * Web Push's settings for the standalone server beside the VAPID keys the
 * server reads itself: `COMET_PUSH_TTL_SECONDS` (how long a push service
 * keeps a message for an offline device).
 */
export function pushFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<PushOptions, 'ttlSeconds'> {
  const ttl = env['COMET_PUSH_TTL_SECONDS'];
  return ttl ? { ttlSeconds: Number(ttl) } : {};
}
