import { createHash } from 'node:crypto';
import { redisCommand, type RedisConnection } from './redis-connection.js';

/** A Lua script run by its SHA1, sent in full only when Redis does not know it yet (first use, or after a restart). */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run<T>(client: RedisConnection, keys: readonly string[], args: readonly string[]): Promise<T> {
    try {
      return await redisCommand<T>(client, ['EVALSHA', this.#sha, String(keys.length), ...keys, ...args]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redisCommand<T>(client, ['EVAL', this.#source, String(keys.length), ...keys, ...args]);
    }
  }
}
