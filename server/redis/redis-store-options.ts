/** How a Redis-backed store reaches Redis: its own connection from `url`, or one it shares (the broker's). */
export interface RedisStoreOptions {
  /** `redis://…`, usually the broker's; ignored when `connection` is given. */
  readonly url?: string;
  /**
   * A connection owned by someone else (a node-redis client: the broker's command connection);
   * the store does not close it. Typed loosely on purpose: @redis/client is an optional peer
   * dependency, and an app's type check must not need its types to read cometkit's.
   */
  readonly connection?: object;
  /** Prefix of every key; the same as the broker's. Default `comet:`. */
  readonly keyPrefix?: string;
  /** Longest wait for Redis on one command (ms), for a connection of its own. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Most commands waiting for Redis at once on a connection of its own; past it, `503 broker-unavailable` at once. Default 1000. */
  readonly maxPendingCommands?: number;
}
