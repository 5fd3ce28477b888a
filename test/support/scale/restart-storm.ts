/**
 * A restart storm, as the storm benchmark and its short version in the
 * tests run it: N resuming SSE clients (bench/support/storm-clients.ts, a
 * process of their own) on one server process on Redis; events keep coming
 * from a publisher that writes to Redis itself, so they continue while the
 * server is down; the server is killed (SIGKILL) and started again, and
 * every client comes back with Last-Event-ID at once.
 *
 * Measured: from the restart (the new process listening) and from the kill
 * until every client has read every event published up to the restart;
 * then, once the publisher stopped and every client read its last event,
 * events lost and doubled over the whole run, and the server's CPU time.
 */
import { readFileSync } from 'node:fs';
import { RedisBroker } from '../../../server/broker/redis-broker.js';
import { startChild } from '../../../bench/support/child.js';
import { processCpuMs } from '../../../bench/support/process-memory.js';
import type { TestRedis } from './redis-server.js';

export interface StormServer {
  readonly port: number;
  readonly pid: number | undefined;
  /** CPU (ms) of the running server so far, where it is more than the process `pid` (workers); else that process's is read. */
  cpuMs?(): number | undefined;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

export interface StormOptions {
  readonly clients: number;
  readonly redis: TestRedis;
  readonly server: StormServer;
  /** Events per second published throughout. Default 2: the storm, not the steady fan-out, is what is measured. */
  readonly rate?: number;
  /** How long the run waits for every client to catch up (ms). Default 60000. */
  readonly catchUpTimeoutMs?: number;
  /** Processes the clients are spread over (default 1): one holds at most ~18,000 sockets under the open-file limit. */
  readonly clientProcesses?: number;
  readonly log?: (line: string) => void;
}

export interface StormResult {
  readonly clients: number;
  /** Clients caught up by the deadline. */
  readonly caught: number;
  /** From the new process listening until every client read every event published up to then (ms); undefined if not all did. */
  readonly afterRestartMs: number | undefined;
  readonly afterKillMs: number | undefined;
  readonly downMs: number;
  readonly lost: number;
  readonly doubled: number;
  /** Starts the clients were told to come back later after the restart (`503` with Retry-After, any other refusal, or a stream of only `retry:`). */
  readonly refusals: number;
  /** Handshakes the kernel dropped from the server's full accept queue meanwhile (each one costs its client a TCP retry of 1 s or more). */
  readonly listenOverflows: number | undefined;
  /** Server CPU (user + system) of the restarted process until everyone caught up (ms); undefined where /proc is missing. */
  readonly serverCpuMs: number | undefined;
  readonly published: number;
}

const CHANNEL = 'storm';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The kernel's count of connections dropped from full accept queues (machine-wide, Linux); undefined elsewhere. */
export function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.split(' ');
      const index = names.indexOf('ListenOverflows');
      if (index !== -1) return Number(lines[i + 1]!.split(' ')[index]);
    }
  } catch {
    // Not Linux.
  }
  return undefined;
}


/** Several processes of storm clients asked as one: counts summed, times the latest. */
function clientGroup(processes: number): { ask<T extends Record<string, number>>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>; stop(): Promise<void> } {
  const children = Array.from({ length: processes }, () => startChild(new URL('../../../bench/support/storm-clients.ts', import.meta.url)));
  return {
    async ask<T extends Record<string, number>>(message: Record<string, unknown>, timeoutMs?: number): Promise<T> {
      let messages = children.map(() => message);
      if (message['type'] === 'open') {
        // Each process its share, and its own range of client indices (so of source addresses).
        const count = Number(message['count']);
        let first = 0;
        messages = children.map((_, i) => {
          const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
          const own = { ...message, count: share, firstIndex: first };
          first += share;
          return own;
        });
      }
      const answers = await Promise.all(children.map((child, i) => child.ask<Record<string, number>>(messages[i]!, timeoutMs)));
      const merged: Record<string, number> = {};
      for (const answer of answers) {
        for (const [key, value] of Object.entries(answer)) {
          if (typeof value !== 'number' || key === 'id') continue;
          merged[key] = key === 'at' || key === 'ms' || key === 'waitedMs' ? Math.max(merged[key] ?? 0, value) : (merged[key] ?? 0) + value;
        }
      }
      return merged as T;
    },
    stop: async () => {
      await Promise.all(children.map((child) => child.stop()));
    },
  };
}

export async function runRestartStorm(options: StormOptions): Promise<StormResult> {
  const log = options.log ?? (() => {});
  const rate = options.rate ?? 2;
  const publisher = new RedisBroker({ url: options.redis.url, historySize: 10_000 });
  await publisher.ready();
  const clients = clientGroup(options.clientProcesses ?? 1);
  let mark = 0;
  let publishing = true;
  let publishFailures = 0;
  // Started once every client is open, so each holds every event from the first.
  const publishAll = async (): Promise<void> => {
    const started = performance.now();
    while (publishing) {
      mark += 1;
      await publisher.publish({ channel: CHANNEL, type: 'message', data: { mark } }).catch(() => {
        publishFailures += 1;
        mark -= 1;
      });
      const due = started + (mark * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  };
  let publishLoop: Promise<void> = Promise.resolve();
  try {
    const opened = await clients.ask<{ opened: number; ms: number }>({ type: 'open', port: options.server.port, path: `/comet/sse?ch=${CHANNEL}`, count: options.clients }, 300_000);
    log(`${opened.opened} clients open in ${(opened.ms / 1000).toFixed(1)} s`);
    publishLoop = publishAll();
    // Live before the kill: everyone holds what was published so far.
    const warm = mark + 5;
    while (mark < warm) await sleep(50);
    const before = await clients.ask<{ caught: number; of: number }>({ type: 'caughtUp', through: warm, timeoutMs: 60_000 }, 90_000);
    if (before.caught !== before.of) throw new Error(`only ${before.caught} of ${before.of} clients were live before the kill`);

    const early = await clients.ask<{ refusals: number; deferred: number }>({ type: 'report', through: warm }, 60_000);
    const overflowsBefore = listenOverflows();
    const killedAt = performance.timeOrigin + performance.now();
    await options.server.stop('SIGKILL');
    // Down long enough that every client has seen its socket close and waits to come back.
    await sleep(1000);
    await options.server.start();
    const restartedAt = performance.timeOrigin + performance.now();
    const serverCpu = (): number | undefined => (options.server.cpuMs ? options.server.cpuMs() : processCpuMs(options.server.pid));
    const cpuBefore = serverCpu() ?? 0;
    const through = mark;
    log(`killed, restarted after ${(restartedAt - killedAt).toFixed(0)} ms; catching up through event ${through}`);
    const caught = await clients.ask<{ caught: number; of: number; at: number }>(
      { type: 'caughtUp', through, timeoutMs: options.catchUpTimeoutMs ?? 60_000 },
      (options.catchUpTimeoutMs ?? 60_000) + 30_000,
    );
    const cpuAfter = serverCpu();
    const overflowsAfter = listenOverflows();
    const all = caught.caught === caught.of;
    log(`${caught.caught} of ${caught.of} caught up${all ? ` ${(caught.at - restartedAt).toFixed(0)} ms after the restart` : ''}`);

    publishing = false;
    await publishLoop;
    const last = mark;
    // As long as the catch-up was given: on a loaded machine the last clients may still be on their way,
    // and an event counted lost must be one that never came, not one still travelling.
    const settleMs = options.catchUpTimeoutMs ?? 60_000;
    await clients.ask({ type: 'caughtUp', through: last, timeoutMs: settleMs }, settleMs + 30_000);
    const report = await clients.ask<{ lost: number; doubled: number; refusals: number; deferred: number }>({ type: 'report', through: last }, 60_000);
    if (publishFailures > 0) log(`${publishFailures} publishes failed and were sent again`);
    return {
      clients: options.clients,
      caught: caught.caught,
      afterRestartMs: all ? caught.at - restartedAt : undefined,
      afterKillMs: all ? caught.at - killedAt : undefined,
      downMs: restartedAt - killedAt,
      lost: report.lost,
      doubled: report.doubled,
      refusals: report.refusals + report.deferred - early.refusals - early.deferred,
      listenOverflows: overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore,
      serverCpuMs: cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
      published: last,
    };
  } finally {
    publishing = false;
    await publishLoop.catch(() => {});
    await clients.ask({ type: 'close' }).catch(() => undefined);
    await clients.stop();
    await publisher.close();
  }
}
