/**
 * Rolling restart: N resuming SSE clients (raw sockets, each a bare
 * EventSource behind a round-robin balancer: `retry:`, Last-Event-ID, the
 * next port after a drop) on two standalone server processes
 * (dist/server/cli.js, as deployed) on Redis, 2 events/s from a publisher
 * on Redis. Process A is stopped and started again, then B — once with
 * SIGTERM (the drain: each stream is told to come back after a delay drawn
 * over the drain window) and once with SIGKILL (every stream cut at once;
 * clients come back after the hello's `retry:`, 1–3 s).
 *
 * Measured per restart, from the signal until every client holds every
 * event published up to the restart: reconnects per second (the busiest
 * second, and how many in all), both processes' CPU (the busiest second, as
 * a share of one core, and the total), the time until all caught up, and
 * events lost or doubled (both must be 0).
 *
 * `npm run bench -- rolling [--clients 5000] [--window 10000]`
 * (at most 10,000 clients: one client process holds them all).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RedisBroker } from '../server/broker/redis-broker.js';
import { startProcess, type RunningProcess } from '../test/support/scale/child-process.js';
import { freePort } from '../test/support/scale/free-port.js';
import { startRedis, type TestRedis } from '../test/support/scale/redis-server.js';
import { OPEN_FILES, startChild, type Child } from './support/child.js';
import { processCpuMs } from './support/process-memory.js';
import { printTable } from './support/stats.js';

const CLI = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
const CHANNEL = 'rolling';
const SAMPLE_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): number => performance.timeOrigin + performance.now();

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}


interface Server {
  readonly port: number;
  readonly pid: number | undefined;
  start(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
}

function server(port: number, redisUrl: string, windowMs: number): Server {
  let running: RunningProcess | undefined;
  return {
    port,
    get pid() {
      return running?.child.pid;
    },
    async start() {
      running = startProcess('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec "${process.execPath}" '${CLI}'`], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COMET_REDIS_URL: redisUrl, COMET_PUBLISH_KEY: 'rolling', COMET_DRAIN_WINDOW_MS: String(windowMs) },
      });
      await running.waitFor('cometkit server on', 30_000);
    },
    async stop(signal) {
      const current = running;
      running = undefined;
      await current?.stop(signal);
    },
  };
}

/**
 * The CPU both processes spend per sample slot, whatever their pids: a
 * process that is restarted counts from its start.
 */
function meterCpu(servers: readonly Server[]): { stop(): number[] } {
  const last = new Map<number, number>();
  const slots: number[] = [];
  const read = (): number => {
    let spent = 0;
    for (const { pid } of servers) {
      const cpu = processCpuMs(pid);
      if (pid === undefined || cpu === undefined) continue;
      spent += cpu - (last.get(pid) ?? 0);
      last.set(pid, cpu);
    }
    return spent;
  };
  read();
  const timer = setInterval(() => slots.push(read()), SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      slots.push(read());
      return slots;
    },
  };
}

/** The most any `width` consecutive slots add up to. */
function busiest(slots: readonly number[], width: number): number {
  let best = 0;
  for (let i = 0; i + width <= Math.max(slots.length, width); i++) best = Math.max(best, slots.slice(i, i + width).reduce((sum, value) => sum + value, 0));
  return best;
}

interface Step {
  readonly mode: 'drain' | 'kill';
  readonly process: string;
  readonly reconnects: number;
  readonly peakPerSecond: number;
  readonly caughtUpMs: number | undefined;
  readonly cpuMs: number;
  readonly peakCpuShare: number;
}

async function rollingRestart(mode: 'drain' | 'kill', clientCount: number, windowMs: number, redis: TestRedis): Promise<{ steps: Step[]; lost: number; doubled: number; failures: number }> {
  const servers = [server(await freePort(), redis.url, windowMs), server(await freePort(), redis.url, windowMs)] as const;
  const publisher = new RedisBroker({ url: redis.url, historySize: 10_000 });
  await publisher.ready();
  await Promise.all(servers.map((s) => s.start()));
  const clients: Child = startChild(new URL('./support/rolling-clients.ts', import.meta.url));
  let mark = 0;
  let publishing = true;
  // Started once every client is open, so each holds every event from the first.
  const publishAll = async (): Promise<void> => {
    const started = performance.now();
    while (publishing) {
      mark += 1;
      await publisher.publish({ channel: CHANNEL, type: 'message', data: { mark } }).catch(() => (mark -= 1));
      const wait = started + mark * 500 - performance.now();
      if (wait > 0) await sleep(wait);
    }
  };
  let publishLoop: Promise<void> = Promise.resolve();
  const steps: Step[] = [];
  try {
    await clients.ask({ type: 'open', ports: servers.map((s) => s.port), path: `/comet/sse?ch=${CHANNEL}`, count: clientCount }, 300_000);
    publishLoop = publishAll();
    const warm = mark + 3;
    while (mark < warm) await sleep(50);
    await clients.ask({ type: 'caughtUp', through: warm, timeoutMs: 60_000 }, 90_000);
    for (const [index, target] of servers.entries()) {
      const cpu = meterCpu(servers);
      const signalled = now();
      await target.stop(mode === 'drain' ? 'SIGTERM' : 'SIGKILL');
      await target.start();
      const through = mark;
      const caught = await clients.ask<{ caught: number; of: number; at: number }>({ type: 'caughtUp', through, timeoutMs: 60_000 }, 90_000);
      // A little past the last return: the busiest second is within the step.
      await sleep(500);
      const slots = cpu.stop();
      const report = await clients.ask<{ hellos: number[] }>({ type: 'report', through, since: signalled }, 60_000);
      const perSecond = new Map<number, number>();
      for (const at of report.hellos) perSecond.set(Math.floor((at - signalled) / 1000), (perSecond.get(Math.floor((at - signalled) / 1000)) ?? 0) + 1);
      steps.push({
        mode,
        process: index === 0 ? 'A' : 'B',
        reconnects: report.hellos.length,
        peakPerSecond: Math.max(0, ...perSecond.values()),
        caughtUpMs: caught.caught === caught.of ? caught.at - signalled : undefined,
        cpuMs: slots.reduce((sum, value) => sum + value, 0),
        peakCpuShare: busiest(slots, 1000 / SAMPLE_MS) / 1000,
      });
    }
    publishing = false;
    await publishLoop;
    await clients.ask({ type: 'caughtUp', through: mark, timeoutMs: 60_000 }, 90_000);
    const report = await clients.ask<{ lost: number; doubled: number; failures: number }>({ type: 'report', through: mark }, 60_000);
    return { steps, lost: report.lost, doubled: report.doubled, failures: report.failures };
  } finally {
    publishing = false;
    await publishLoop.catch(() => {});
    await clients.ask({ type: 'close' }).catch(() => undefined);
    await clients.stop();
    await publisher.close();
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  }
}

export default async function rolling(): Promise<void> {
  const clients = Math.min(10_000, Math.max(2, Number(option('clients') ?? 5000)));
  const windowMs = Math.max(1, Number(option('window') ?? 10_000));
  console.log(`\nrolling restart: ${clients} clients on two processes, drain window ${windowMs} ms, 2 events/s; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  const rows: Array<Record<string, string | number>> = [];
  for (const mode of ['drain', 'kill'] as const) {
    const redis = await startRedis({ fsync: 'everysec' });
    try {
      const result = await rollingRestart(mode, clients, windowMs, redis);
      for (const step of result.steps) {
        rows.push({
          restart: `${step.process}, ${mode === 'drain' ? 'SIGTERM (drain)' : 'SIGKILL'}`,
          reconnects: step.reconnects,
          'busiest second': step.peakPerSecond,
          'all caught up (s)': step.caughtUpMs === undefined ? '—' : (step.caughtUpMs / 1000).toFixed(1),
          'server CPU (s)': (step.cpuMs / 1000).toFixed(2),
          'busiest second CPU': `${Math.round(step.peakCpuShare * 100)} %`,
        });
      }
      console.log(`${mode}: lost ${result.lost}, doubled ${result.doubled}, refused or failed connects ${result.failures}`);
    } finally {
      await redis.close();
    }
  }
  printTable(`Rolling restart, ${clients} resuming SSE clients on two processes on Redis (per restart, from the signal until all caught up)`, rows);
}
