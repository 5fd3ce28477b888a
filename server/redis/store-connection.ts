import { brokerUnavailable, closeConnection, connectRedis, REDIS_DEFAULTS, type RedisConnection } from './redis-connection.js';
import type { RedisStoreOptions } from './redis-store-options.js';

export type { RedisStoreOptions };

/** A store's way to Redis: commands fail with `503 broker-unavailable` while it is away. */
export class StoreConnection {
  readonly prefix: string;
  readonly client: RedisConnection;
  readonly ready: Promise<void>;
  readonly #owned: boolean;

  constructor(options: RedisStoreOptions, role: string) {
    this.prefix = options.keyPrefix ?? 'comet:';
    if (options.connection) {
      this.client = options.connection as RedisConnection;
      this.ready = Promise.resolve();
      this.#owned = false;
      return;
    }
    if (!options.url) throw new TypeError(`cometkit server: a Redis ${role} store needs a url or a connection.`);
    const { client, ready } = connectRedis({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
      maxPendingCommands: options.maxPendingCommands ?? REDIS_DEFAULTS.maxPendingCommands,
      role,
    });
    this.client = client;
    this.ready = ready;
    this.#owned = true;
  }

  async run<T>(doing: string, command: (client: RedisConnection) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (error) {
      throw brokerUnavailable(error, doing);
    }
  }

  async close(): Promise<void> {
    if (this.#owned) await closeConnection(this.client);
  }
}
