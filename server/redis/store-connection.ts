import { brokerUnavailable, connectRedis, REDIS_DEFAULTS, type RedisConnection } from './redis-connection.js';

/** How a Redis-backed store reaches Redis: its own connection from `url`, or one it shares (the broker's). */
export interface RedisStoreOptions {
  /** `redis://…`, usually the broker's; ignored when `connection` is given. */
  readonly url?: string;
  /** A connection owned by someone else (the broker's command connection); the store does not close it. */
  readonly connection?: RedisConnection;
  /** Prefix of every key; the same as the broker's. Default `comet:`. */
  readonly keyPrefix?: string;
  /** Longest wait for Redis on one command (ms), for a connection of its own. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Most commands waiting for Redis at once on a connection of its own; past it, `503 broker-unavailable` at once. Default 1000. */
  readonly maxPendingCommands?: number;
}

/** A store's way to Redis: commands fail with `503 broker-unavailable` while it is away. */
export class StoreConnection {
  readonly prefix: string;
  readonly client: RedisConnection;
  readonly ready: Promise<void>;
  readonly #owned: boolean;

  constructor(options: RedisStoreOptions, role: string) {
    this.prefix = options.keyPrefix ?? 'comet:';
    if (options.connection) {
      this.client = options.connection;
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
    if (this.#owned) await this.client.close().catch(() => this.client.destroy());
  }
}
