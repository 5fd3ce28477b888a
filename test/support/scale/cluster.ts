import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { http } from '../http-client.js';
import { startNginx, type TestNginx } from './nginx-server.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface PublishItem {
  readonly channel: string;
  readonly data: unknown;
  readonly type?: string;
}

export interface TestCluster {
  /** cometkit through nginx: `https://127.0.0.1:PORT/comet`. */
  readonly url: string;
  readonly redis: TestRedis;
  readonly nginx: TestNginx;
  readonly processes: readonly ServerProcess[];
  /**
   * Publishes in order through a running process; throws with the server's error when refused.
   * Retries a refused batch up to `retries` times (default 20), 50 ms apart.
   */
  publish(items: readonly PublishItem[], options?: { retries?: number }): Promise<CometEvent[]>;
  /** Open held requests (SSE, iframe, poll) with a channel starting with `prefix`, per process (0 for one that is down). */
  streams(prefix: string): Promise<number[]>;
  /** POSTs to a control endpoint of a running process (server-main.ts); false when it is down. */
  control(process: ServerProcess, path: string): Promise<boolean>;
  /** SIGKILLs a process and starts it again on its port; crashes run one at a time. */
  crash(process: ServerProcess, downMs?: number): Promise<void>;
  /** SIGTERMs a process (it drains: its streams are told when to come back), waits for it to exit, and starts it again on its port. */
  restart(process: ServerProcess): Promise<void>;
  close(): Promise<void>;
}

/** Redis, `count` server processes on it and nginx (TLS, HTTP/2) in front: the deployment README describes, on loopback. */
export async function startCluster(
  options: { processes?: number; heartbeatMs?: number; fsync?: 'always' | 'everysec'; env?: Readonly<Record<string, string>> } = {},
): Promise<TestCluster> {
  const publishKey = randomBytes(12).toString('base64url');
  const redis = await startRedis({ fsync: options.fsync ?? 'always' });
  const processes = await Promise.all(
    Array.from({ length: options.processes ?? 2 }, () =>
      startServerProcess({ redisUrl: redis.url, publishKey, heartbeatMs: options.heartbeatMs ?? 1000, ...(options.env ? { env: options.env } : {}) }),
    ),
  );
  const nginx = await startNginx(processes.map((p) => p.port));
  let crashes = Promise.resolve();
  /**
   * Publishes run side by side, but never while a process is being killed: a
   * process killed while answering a publish may have stored the event
   * without acknowledging it, and the retry would store it again — right for
   * the system, ambiguous for a test counting events.
   */
  let publishing = 0;
  let idle: (() => void) | undefined;
  let killing: Promise<void> | undefined;
  const whilePublishing = async <T>(step: () => Promise<T>): Promise<T> => {
    while (killing) await killing;
    publishing += 1;
    try {
      return await step();
    } finally {
      publishing -= 1;
      if (publishing === 0) idle?.();
    }
  };
  const kill = async (target: ServerProcess): Promise<void> => {
    while (killing) await killing;
    killing = (async () => {
      if (publishing > 0) await new Promise<void>((resolve) => (idle = resolve));
      idle = undefined;
      await target.stop('SIGKILL');
    })();
    await killing;
    killing = undefined;
  };
  let turn = 0;

  const publishOnce = async (items: readonly PublishItem[]): Promise<CometEvent[]> => {
    const running = processes.filter((p) => p.running);
    if (running.length === 0) throw new Error('no server process is running');
    const target = running[turn++ % running.length]!;
    const res = await http(`${target.origin}/comet/publish`, { method: 'POST', headers: { Authorization: `Bearer ${publishKey}` }, body: items });
    if (res.status !== 200) throw new Error(`publish: ${res.status} ${res.text}`);
    const acks = res.json<Array<Omit<CometEvent, 'data'>>>();
    return acks.map((ack, index) => ({ ...ack, data: items[index]!.data }));
  };

  return {
    url: `${nginx.origin}/comet`,
    redis,
    nginx,
    processes,
    async publish(items, { retries = 20 } = {}) {
      // A process that died between the check and the request: try another, a few times.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await whilePublishing(() => publishOnce(items));
        } catch (error) {
          if (attempt > retries || (error instanceof Error && /^publish: [45]\d\d/.test(error.message) && !error.message.includes('broker-unavailable'))) throw error;
          await sleep(50);
        }
      }
    },
    async streams(prefix) {
      return Promise.all(
        processes.map(async (p) => {
          if (!p.running) return 0;
          try {
            return (await http(`${p.origin}/control/streams?prefix=${encodeURIComponent(prefix)}`)).json<{ streams: number }>().streams;
          } catch {
            return 0;
          }
        }),
      );
    },
    async control(target, path) {
      if (!target.running) return false;
      try {
        return (await http(`${target.origin}${path}`, { method: 'POST' })).status === 200;
      } catch {
        return false;
      }
    },
    crash(target, downMs = 0) {
      const crash = crashes.then(async () => {
        await kill(target);
        if (downMs > 0) await sleep(downMs);
        await target.start();
      });
      crashes = crash.catch(() => undefined);
      return crash;
    },
    restart(target) {
      // A draining process answers the publishes it has taken before it exits: no need to wait for them.
      const restart = crashes.then(async () => {
        await target.stop('SIGTERM');
        await target.start();
      });
      crashes = restart.catch(() => undefined);
      return restart;
    },
    async close() {
      await crashes;
      await nginx.close();
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await redis.close();
    },
  };
}
