/** A command that was not sent, or not waited for: Redis is hung or slow, or too much already waits on it. */
export class RedisWaitError extends Error {
  override readonly name = 'RedisWaitError';
}

/**
 * Bounds what waits on one Redis connection. node-redis's own command timeout
 * only covers a command still queued in the client: once written to the
 * socket it waits for its reply for ever, and a Redis that is stopped
 * (SIGSTOP, a swapped-out host, a hung disk) keeps its sockets open, so every
 * command is written and none times out. Here the caller stops waiting after
 * `timeoutMs`, and a command counts as pending until Redis answers it or the
 * connection drops, so `maxPending` bounds the memory held for a hung Redis:
 * past it, commands are refused at once instead of written.
 */
export class CommandGate {
  #pending = 0;
  /** Told each answered command's round trip (ms), a late answer included: what Redis really took. */
  onAnswer: ((ms: number) => void) | undefined;

  constructor(
    readonly timeoutMs: number,
    readonly maxPending: number,
  ) {}

  get pending(): number {
    return this.#pending;
  }

  run<T>(command: () => Promise<T> | T): Promise<T> {
    if (this.#pending >= this.maxPending) {
      return Promise.reject(new RedisWaitError(`${this.#pending} commands are already waiting for Redis (the limit); refused without sending.`));
    }
    this.#pending += 1;
    const sent = performance.now();
    let running: Promise<T>;
    try {
      running = Promise.resolve(command());
    } catch (error) {
      running = Promise.reject(error);
    }
    const settled = (): void => {
      this.#pending -= 1;
    };
    running.then(() => {
      settled();
      this.onAnswer?.(performance.now() - sent);
    }, settled);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisWaitError(`Redis did not answer within ${this.timeoutMs} ms.`)), this.timeoutMs);
      running.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
