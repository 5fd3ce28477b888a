import { createClient, type RedisClientType } from '@redis/client';
import { HttpError } from '../http/http-error.js';

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
  const client: RedisConnection = createClient({
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
