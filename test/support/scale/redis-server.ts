import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { startProcess, type RunningProcess } from './child-process.js';
import { freePort } from './free-port.js';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Stops Redis (SIGTERM by default; SIGKILL for a crash) and keeps its data folder for `start()`. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, from the append-only file: what it acknowledged is back. */
  start(): Promise<void>;
  /** SIGSTOP: Redis keeps its sockets open and answers nothing, as a hung host does. */
  pause(): void;
  /** SIGCONT after `pause()`: Redis works through what was written to it meanwhile. */
  resume(): void;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/**
 * A private redis-server on a free loopback port with an append-only file.
 * `fsync: 'always'` (the default) syncs it on every write: a publish
 * acknowledged before a crash (SIGKILL) is still there after the restart.
 * `'everysec'` is much faster on a busy disk and loses nothing over a clean
 * stop (SIGTERM), which flushes the file (README, Redis).
 */
export async function startRedis(options: { fsync?: 'always' | 'everysec' } = {}): Promise<TestRedis> {
  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server is not installed (apt-get install -y redis-server).');
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-redis-'));
  const port = await freePort();
  let running: RunningProcess | undefined;
  const start = async (): Promise<void> => {
    running = startProcess(binary, [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', options.fsync ?? 'always',
      '--loglevel', 'notice',
    ]);
    await running.waitFor('Ready to accept connections', 30_000).catch(async (error: unknown) => {
      await running?.stop('SIGKILL');
      throw error;
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop(signal = 'SIGTERM') {
      await running?.stop(signal);
      running = undefined;
    },
    start,
    pause() {
      running?.child.kill('SIGSTOP');
    },
    resume() {
      running?.child.kill('SIGCONT');
    },
    async close() {
      await running?.stop('SIGKILL');
      running = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
