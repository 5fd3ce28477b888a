import cluster, { type Worker } from 'node:cluster';
import { DRAIN_WINDOW_DEFAULT_MS } from '../options.js';
import { LISTEN_FAILED_EXIT } from './listen-failure.js';

/** Quick deaths in a row after which the primary stops replacing workers: a worker that cannot start will not start on the next try either. */
const MAX_QUICK_DEATHS = 5;
const QUICK_MS = 2000;
/** Beyond the drain window, for a worker to close its store and exit before the primary kills it. */
const WORKER_STOP_GRACE_MS = 5000;

/**
 * The primary of `--workers N`: forks N copies of this script sharing one
 * port (node:cluster hands connections round-robin), replaces a worker that
 * dies, and on SIGINT/SIGTERM has them all drain side by side (see
 * graceful-stop.ts). Workers share channels only through Redis, so the caller requires COMET_REDIS_URL.
 *
 * `env(slot)` gives each worker its environment; a replacement keeps its
 * slot's, so a role held by one slot (the demo's publisher) survives a crash.
 */
export function runWorkers(count: number, env: (slot: number) => NodeJS.ProcessEnv, onAllListening: (address: string) => void, drainWindowMs = DRAIN_WINDOW_DEFAULT_MS): void {
  const slots = new Map<Worker, { slot: number; started: number }>();
  let stopping = false;
  let quickDeaths = 0;
  let listening = 0;

  const fork = (slot: number): void => {
    const worker = cluster.fork(env(slot));
    slots.set(worker, { slot, started: Date.now() });
  };

  cluster.on('listening', (worker, address) => {
    const info = slots.get(worker);
    listening += 1;
    console.log(`worker ${info?.slot} (pid ${worker.process.pid}) listening`);
    if (listening === count) onAllListening(`${address.address ?? '127.0.0.1'}:${address.port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    const info = slots.get(worker);
    slots.delete(worker);
    if (stopping || !info) {
      // The exit code set when a failure stopped them all, else 0.
      if (stopping && slots.size === 0) process.exit();
      return;
    }
    quickDeaths = Date.now() - info.started < QUICK_MS ? quickDeaths + 1 : 0;
    // A port that is taken stays taken: the worker said why; starting it again would only say it again.
    if (code === LISTEN_FAILED_EXIT) quickDeaths = MAX_QUICK_DEATHS;
    if (quickDeaths >= MAX_QUICK_DEATHS) {
      console.error(
        code === LISTEN_FAILED_EXIT
          ? `worker ${info.slot} could not listen; stopping.`
          : `worker ${info.slot} died ${quickDeaths} times right after starting (last: ${signal ?? `exit ${code}`}); stopping.`,
      );
      stopping = true;
      for (const other of slots.keys()) other.process.kill('SIGTERM');
      process.exitCode = code === LISTEN_FAILED_EXIT ? LISTEN_FAILED_EXIT : 1;
      if (slots.size === 0) process.exit(process.exitCode);
      return;
    }
    console.error(`worker ${info.slot} (pid ${worker.process.pid}) died (${signal ?? `exit ${code}`}); starting a new one`);
    fork(info.slot);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      // The signal goes to each worker's process: worker.kill() would first wait for the
      // worker's server to close, which open streams hold off. The workers drain side by side
      // (graceful-stop.ts) and exit within their window; one still there well after it is killed.
      for (const worker of slots.keys()) worker.process.kill('SIGTERM');
      setTimeout(() => {
        for (const worker of slots.keys()) worker.process.kill('SIGKILL');
      }, drainWindowMs + WORKER_STOP_GRACE_MS).unref();
      if (slots.size === 0) process.exit(0);
    });
  }
  for (let slot = 1; slot <= count; slot += 1) fork(slot);
}
