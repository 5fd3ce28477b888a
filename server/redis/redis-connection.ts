import { createRequire } from 'node:module';
import type { RedisClientType } from '@redis/client';
import { HttpStatusError } from '../http/http-error.js';
import { isMissing, MissingDependencyError } from '../optional-dependency.js';
import { CommandGate } from './command-gate.js';

import type { RedisClusterType } from '@redis/client';

/** One Redis server (`connectRedis`) or a Redis Cluster (`connectRedisCluster`): use the helpers below, which work on both. */
export type RedisConnection = RedisClientType | ClusterConnection;

/**
 * A Redis Cluster behind the calls the stores make: each command goes to the
 * master of its first key's slot, and pub/sub is sharded (`SSUBSCRIBE`), so a
 * channel's messages travel only through the shard that holds its keys.
 */
export class ClusterConnection {
  constructor(readonly cluster: RedisClusterType) {}

  sendCommand<T>(args: readonly string[]): Promise<T> {
    return this.cluster.sendCommand<T>(firstKey(args), false, [...args]);
  }
}

/** The key a command is routed by: EVAL/EVALSHA name theirs after the key count; the others put it first. */
function firstKey(args: readonly string[]): string | undefined {
  const name = args[0]?.toUpperCase();
  if (name === 'EVAL' || name === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined;
  if (name === 'PING' || name === 'TIME' || name === 'SCRIPT' || name === 'INFO') return undefined;
  return args[1];
}

/** Defaults of every Redis connection; `COMET_REDIS_TIMEOUT_MS` and `COMET_REDIS_MAX_PENDING` set them for the standalone server. */
export const REDIS_DEFAULTS = { commandTimeoutMs: 1000, maxPendingCommands: 1000 } as const;

export interface RedisConnectionOptions {
  readonly url: string;
  /** Longest wait for one command before it counts as failed (ms). */
  readonly commandTimeoutMs: number;
  /** Most commands waiting for Redis on this connection; past it, new ones are refused at once. */
  readonly maxPendingCommands: number;
  /** Named in log lines, so an outage reads as one line per connection, not one per command. */
  readonly role: string;
}

const gates = new WeakMap<RedisConnection, CommandGate>();

/**
 * A connection that fails fast instead of queueing: while Redis is away,
 * commands are refused at once (no offline queue, so nothing piles up in
 * memory), and the client reconnects by itself with capped, jittered backoff.
 * While Redis is there but does not answer (stopped, hung), each command is
 * given up on after `commandTimeoutMs` and at most `maxPendingCommands` wait
 * (see CommandGate): send every command through `redisCommand()` or `gated()`.
 */
export function connectRedis(options: RedisConnectionOptions): { client: RedisClientType; ready: Promise<void> } {
  const client: RedisClientType = redisClientModule().createClient({
    url: options.url,
    disableOfflineQueue: true,
    // The client's own bounds act on commands not yet written (and drop them from its queue);
    // the gate below covers the ones written to a Redis that does not answer.
    commandOptions: { timeout: options.commandTimeoutMs },
    commandsQueueMaxLength: options.maxPendingCommands,
    socket: {
      connectTimeout: options.commandTimeoutMs,
      // Full jitter up to a cap: processes that lost Redis together do not come back in lockstep.
      reconnectStrategy: (retries) => Math.round(Math.random() * Math.min(2000, 50 * 2 ** Math.min(retries, 6))),
    },
  });
  gates.set(client, new CommandGate(options.commandTimeoutMs, options.maxPendingCommands));
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

/** Runs one command on a connection made by `connectRedis`, within its time and pending bounds. */
export function gated<T>(client: RedisConnection, command: () => Promise<T> | T): Promise<T> {
  const gate = gates.get(client);
  return gate ? gate.run(command) : Promise.resolve(command());
}

/** Tells `observe` the round trip (ms) of each command answered on this connection. */
export function observeRoundTrips(client: RedisConnection, observe: (ms: number) => void): void {
  const gate = gates.get(client);
  if (gate) gate.onAnswer = observe;
}

export function redisCommand<T>(client: RedisConnection, args: readonly string[]): Promise<T> {
  return gated(client, () => (client instanceof ClusterConnection ? client.sendCommand<T>(args) : client.sendCommand<T>([...args])));
}

/** Listens to a pub/sub channel: SUBSCRIBE on one server, SSUBSCRIBE (on the channel's shard) on a cluster. */
export function subscribeChannel(client: RedisConnection, channel: string, listener: (message: string) => void): Promise<unknown> {
  return client instanceof ClusterConnection ? client.cluster.sSubscribe(channel, listener) : client.subscribe(channel, listener);
}

export function unsubscribeChannel(client: RedisConnection, channel: string, listener: (message: string) => void): Promise<unknown> {
  return client instanceof ClusterConnection ? client.cluster.sUnsubscribe(channel, listener) : client.unsubscribe(channel, listener);
}

/** The command a script publishes with, so a cluster's messages stay on the channel's shard. */
export function publishCommand(client: RedisConnection): 'PUBLISH' | 'SPUBLISH' {
  return client instanceof ClusterConnection ? 'SPUBLISH' : 'PUBLISH';
}

/**
 * Calls `reconnected` each time the connection (or, on a cluster, a node's)
 * is ready again after it was lost: messages published meanwhile were missed.
 */
export function onReconnect(client: RedisConnection, reconnected: () => void): void {
  if (client instanceof ClusterConnection) {
    let lost = false;
    client.cluster.on('node-disconnect', () => (lost = true));
    client.cluster.on('node-ready', () => {
      if (!lost) return;
      lost = false;
      reconnected();
    });
    return;
  }
  let readies = 0;
  client.on('ready', () => {
    readies += 1;
    if (readies > 1) reconnected();
  });
}

export async function closeConnection(client: RedisConnection): Promise<void> {
  const target = client instanceof ClusterConnection ? client.cluster : client;
  await target.close().catch(() => target.destroy());
}

/**
 * A Redis Cluster, reached through any of its masters (`urls`): the client
 * learns the slot map and follows MOVED answers and failovers. Bounded like
 * `connectRedis`: no offline queue, each command given up after
 * `commandTimeoutMs`, at most `maxPendingCommands` waiting.
 */
export function connectRedisCluster(options: Omit<RedisConnectionOptions, 'url'> & { readonly urls: readonly string[] }): { client: RedisConnection; ready: Promise<void> } {
  if (options.urls.length === 0) throw new TypeError('cometkit server: a Redis Cluster needs at least one node URL.');
  const cluster = redisClientModule().createCluster({
    rootNodes: options.urls.map((url) => ({ url })),
    defaults: {
      disableOfflineQueue: true,
      commandsQueueMaxLength: options.maxPendingCommands,
      socket: {
        connectTimeout: options.commandTimeoutMs,
        reconnectStrategy: (retries: number) => Math.round(Math.random() * Math.min(2000, 50 * 2 ** Math.min(retries, 6))),
      },
    },
  }) as unknown as RedisClusterType;
  const client = new ClusterConnection(cluster);
  gates.set(client, new CommandGate(options.commandTimeoutMs, options.maxPendingCommands));
  let down = false;
  cluster.on('error', (error: Error) => {
    if (down) return;
    down = true;
    console.error(`cometkit redis cluster (${options.role}): ${error.message}`);
  });
  cluster.on('node-error', (error: Error) => {
    if (down) return;
    down = true;
    console.error(`cometkit redis cluster (${options.role}): a node's connection was lost, reconnecting: ${error.message}`);
  });
  cluster.on('node-ready', () => {
    if (down) console.error(`cometkit redis cluster (${options.role}): connected again`);
    down = false;
  });
  const ready = cluster.connect().then(
    () => undefined,
    (error: unknown) => {
      console.error(`cometkit redis cluster (${options.role}): gave up connecting`, error);
    },
  );
  return { client, ready };
}

/** What a caller of the HTTP API sees when Redis cannot be used: retry later, with backoff. */
export function brokerUnavailable(cause: unknown, doing: string): HttpStatusError {
  if (cause instanceof HttpStatusError) return cause;
  const error = new HttpStatusError(503, 'broker-unavailable', `The event store (Redis) is unreachable, so the server could not ${doing}. Retry with backoff.`);
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
