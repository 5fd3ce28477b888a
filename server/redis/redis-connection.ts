import { createRequire } from 'node:module';
import type { RedisClientType } from '@redis/client';
import { HttpError } from '../http/http-error.js';
import { isMissing, MissingDependencyError } from '../optional-dependency.js';

export type RedisConnection = RedisClientType;

export interface RedisConnectionOptions {
  readonly url: string;
  /** Longest wait for one command before it counts as failed (ms). */
  readonly commandTimeoutMs: number;
  /** Named in log lines, so an outage reads as one line per connection, not one per command. */
  readonly role: string;
}

/**
 * A connection that fails fast instead of queueing: while Redis is away,
 * commands are refused at once (no offline queue, so nothing piles up in
 * memory), and the client reconnects by itself with capped, jittered backoff.
 */
export function connectRedis(options: RedisConnectionOptions): { client: RedisConnection; ready: Promise<void> } {
  const client: RedisConnection = redisClientModule().createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.commandTimeoutMs,
      // Full jitter up to a cap: processes that lost Redis together do not come back in lockstep.
      reconnectStrategy: (retries) => Math.round(Math.random() * Math.min(2000, 50 * 2 ** Math.min(retries, 6))),
    },
  });
  let down = false;
  client.on('error', (error: Error) => {
    // node-redis reports every failed attempt; one line when the outage starts is enough.
    if (down) return;
    down = true;
    console.error(`cometkit redis (${options.role}): connection lost, reconnecting: ${error.message}`);
  });
  client.on('ready', () => {
    if (down) console.error(`cometkit redis (${options.role}): connected again`);
    down = false;
  });
  // The first connect retries like a reconnect; until it succeeds, commands are refused with 503.
  const ready = client.connect().then(
    () => undefined,
    (error: unknown) => {
      console.error(`cometkit redis (${options.role}): gave up connecting`, error);
    },
  );
  return { client, ready };
}

/** What a caller of the HTTP API sees when Redis cannot be used: retry later, with backoff. */
export function brokerUnavailable(cause: unknown, doing: string): HttpError {
  if (cause instanceof HttpError) return cause;
  const error = new HttpError(503, 'broker-unavailable', `The event store (Redis) is unreachable, so the server could not ${doing}. Retry with backoff.`);
  (error as { cause?: unknown }).cause = cause;
  return error;
}

const load = createRequire(import.meta.url);

/**
 * @redis/client is an optional peer dependency (12 MB a browser app need not
 * install). It is CommonJS, so it loads synchronously here, the first time a
 * Redis store is made: a server without it fails at start with a message
 * that says what to install, not on its first request.
 */
export function redisClientModule(): typeof import('@redis/client') {
  try {
    return load('@redis/client') as typeof import('@redis/client');
  } catch (error) {
    if (isMissing(error, '@redis/client')) throw new MissingDependencyError('@redis/client', 'Redis (redisBroker, COMET_REDIS_URL, the Redis stores)', error);
    throw error;
  }
}
