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
  /** Publishes in order through a running process; throws with the server's error when refused. */
  publish(items: readonly PublishItem[]): Promise<CometEvent[]>;
  /** Open held requests (SSE, iframe, poll) with a channel starting with `prefix`, per process (0 for one that is down). */
  streams(prefix: string): Promise<number[]>;
  /** SIGKILLs a process and starts it again on its port; crashes run one at a time. */
  crash(process: ServerProcess, downMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Redis, `count` server processes on it and nginx (TLS, HTTP/2) in front: the deployment README describes, on loopback. */
export async function startCluster(options: { processes?: number; heartbeatMs?: number } = {}): Promise<TestCluster> {
  const publishKey = randomBytes(12).toString('base64url');
  const redis = await startRedis();
  const processes = await Promise.all(
    Array.from({ length: options.processes ?? 2 }, () => startServerProcess({ redisUrl: redis.url, publishKey, heartbeatMs: options.heartbeatMs ?? 1000 })),
  );
  const nginx = await startNginx(processes.map((p) => p.port));
  let crashes = Promise.resolve();
  /**
   * Publishes and kills take turns: a process killed while answering a publish
   * may have stored the event without acknowledging it, and a retry would then
   * store it twice — right for the system, ambiguous for a test counting events.
   */
  let turns: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
    const result = turns.then(step);
    turns = result.catch(() => undefined);
    return result;
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
    async publish(items) {
      // A process that died between the check and the request: try another, a few times.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await inTurn(() => publishOnce(items));
        } catch (error) {
          if (attempt >= 20 || (error instanceof Error && /^publish: [45]\d\d/.test(error.message) && !error.message.includes('broker-unavailable'))) throw error;
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
    crash(target, downMs = 0) {
      const crash = crashes.then(async () => {
        await inTurn(() => target.stop('SIGKILL'));
        if (downMs > 0) await sleep(downMs);
        await target.start();
      });
      crashes = crash.catch(() => undefined);
      return crash;
    },
    async close() {
      await crashes;
      await nginx.close();
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await redis.close();
    },
  };
}
