/**
 * Capacity: idle SSE subscribers of one channel held by one server process.
 *
 * For each size (1k / 5k / 10k by default) and each target, in the same run:
 *
 * - `floor`: bare node:http writing one pre-built frame to every stream (the
 *   least any server does);
 * - `cometkit`: the reference server, memory broker;
 * - `pushpin`: Pushpin alone, with a trivial GRIP backend that only says
 *   "hold on channel bench"; published straight to Pushpin;
 * - `cometkit-grip`: the reference server behind Pushpin (GRIP mode).
 *
 * Measured: memory per connection (RSS after opening minus before, after a
 * GC; for Pushpin, of all its processes) and the live JS heap per
 * connection (RSS also holds heap V8 keeps committed but free, which grows
 * with what opening allocates, not with what a stream keeps), time to open every stream, the
 * fan-out of one publish (publish sent → frame read on each socket,
 * p50/p99/max over 5 publishes), the same under 10 events/s for 5 s, the
 * health endpoint's answer time meanwhile, and the publisher's answer time.
 *
 * Clients are raw sockets in a separate process; the server in another
 * (fresh for every size, so memory starts clean). Loopback only; every
 * loop bounded in count and time. Several runs (`--runs 3`) give the spread.
 *
 * `npm run bench -- capacity [--sizes 1000,5000] [--runs 3] [--targets floor,cometkit] [--heartbeat 15000]`
 * `--broker redis [--workers 2]` runs cometkit on a private redis-server
 * (fresh for every size, append-only file synced every second) through
 * `COMET_REDIS_URL`, in one process or in N node:cluster workers on one
 * port; their memory is that of the whole process tree.
 *
 * Past one process: `--n 10000,25000,50000,100000` runs the load generator
 * instead (several client processes, source addresses over 127.0.0.0/8)
 * against the floor and the standalone server in as many workers as the
 * open-file limit needs (bench/support/capacity-at-scale.ts), with
 * `[--targets floor,cometkit-redis,cometkit-memory] [--per-worker 15000]
 * [--long-poll 0.1] [--plot docs/benchmarks/capacity.svg] [--json <file> [--append]]`
 * (`--append` keeps the results in that file this run does not measure again).
 */
import { loadavg } from 'node:os';
import { startPushpin, freePort, hasPushpin, type Pushpin } from '../test/support/pushpin.js';
import { startRedis, type TestRedis } from '../test/support/scale/redis-server.js';
import { startChild, type Child } from './support/child.js';
import { treeRss } from './support/process-memory.js';
import { percentile, printTable } from './support/stats.js';
import { capacityAtScale, SCALE_TARGETS, type ScaleTarget } from './support/capacity-at-scale.js';

const TARGETS = ['floor', 'cometkit', 'pushpin', 'cometkit-grip'] as const;
type Target = (typeof TARGETS)[number];

const WARM_UP_PUBLISHES = 3;
const ONE_PUBLISH_REPEATS = 5;
const SUSTAINED_RATE = 10;
const SUSTAINED_SECONDS = 5;
const COLLECT_TIMEOUT_MS = 20_000;

interface Measure {
  target: Target;
  size: number;
  run: number;
  opened: number;
  openFailures: number;
  openRetries: number;
  openMs: number;
  bytesPerConn: number;
  /** Live JS heap per connection (after a GC); undefined for Pushpin. */
  heapPerConn: number | undefined;
  one: Stats;
  sustained: Stats;
  healthP99: number;
  ackP50: number;
}

interface Stats {
  p50: number;
  p99: number;
  max: number;
  missing: number;
}

/**
 * cometkit's heartbeat interval in the run (`--heartbeat`, default 120 s):
 * the floor does not beat, and a beat is one write to every stream at once,
 * as costly as a publish. With streams opened in one burst, a 15 s beat
 * falls inside the measurements and delays the publish it meets.
 */
function heartbeatMs(): number {
  return Math.max(1000, Number(option('heartbeat') ?? 120_000));
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const now = (): number => performance.timeOrigin + performance.now();

/** cometkit's storage and processes in the run: `--broker memory|redis`, `--workers N` (Redis only, 1–4). */
function deployment(): { redis: boolean; workers: number } {
  const broker = option('broker') ?? 'memory';
  if (broker !== 'memory' && broker !== 'redis') throw new Error(`--broker takes memory or redis, not ${broker}`);
  const workers = Number(option('workers') ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 4) throw new Error('--workers takes 1 to 4');
  if (workers > 1 && broker !== 'redis') throw new Error('--workers needs --broker redis: processes share channels through Redis only');
  return { redis: broker === 'redis', workers };
}

/** How the table names cometkit in this run. */
function cometLabel(target: Target): string {
  const { redis, workers } = deployment();
  if (target !== 'cometkit' || !redis) return target;
  return `cometkit, Redis, ${workers} process${workers > 1 ? 'es' : ''}`;
}

interface Setup {
  readonly clientPort: number;
  readonly targetPort: number;
  /** RSS (of every Pushpin process when Pushpin holds the streams), and the target's live JS heap when it is Node. */
  memory(): Promise<{ rss: number; heap: number | undefined }>;
  publish(mark: number): Promise<void>;
  stop(): Promise<void>;
}

async function setUp(target: Target): Promise<Setup> {
  const script = new URL('./support/capacity-target.ts', import.meta.url);
  const needsPushpin = target === 'pushpin' || target === 'cometkit-grip';
  let pushpin: Pushpin | undefined;
  const backendPort = await freePort();
  if (needsPushpin) {
    // Debian's throttles (2,500 messages/s, 25,000 queued) would drop most of a 10k fan-out.
    pushpin = await startPushpin({ backendPort, messageRate: 1_000_000, messageHwm: 1_000_000, openFiles: 20_000 });
  }
  const mode = target === 'pushpin' ? 'grip-backend' : target;
  const heartbeat = String(heartbeatMs());
  const { redis: onRedis, workers } = deployment();
  let redis: TestRedis | undefined;
  let child: Child;
  if (target === 'cometkit' && onRedis) {
    redis = await startRedis({ fsync: 'everysec' });
    child = startChild(script, [mode, heartbeat, '--workers', String(workers)], ['--expose-gc'], { ...process.env, COMET_REDIS_URL: redis.url });
  } else {
    child = startChild(script, mode === 'cometkit-grip' ? [mode, heartbeat, pushpin!.controlUrl, pushpin!.signingKey] : [mode, heartbeat], ['--expose-gc']);
  }
  const clustered = target === 'cometkit' && workers > 1;
  const { port } = await child.ask<{ port: number }>({ type: 'listen', port: backendPort });
  const clientPort = pushpin ? Number(new URL(pushpin.origin).port) : port;
  // One keep-alive connection for the publisher, as a real backend would hold.
  const post = async (url: string, body: string, headers: Record<string, string>): Promise<void> => {
    const response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`publish: ${response.status}`);
  };
  const publish = (mark: number): Promise<void> => {
    switch (target) {
      case 'floor':
        return post(`http://127.0.0.1:${port}/comet/publish`, `{"mark":${mark}}`, {});
      case 'pushpin':
        return post(`${pushpin!.controlUrl}/publish/`, JSON.stringify({ items: [{ channel: 'bench', formats: { 'http-stream': { content: `data: {"mark":${mark}}\n\n` } } }] }), {});
      default:
        return post(`http://127.0.0.1:${port}/comet/publish`, JSON.stringify({ channel: 'bench', data: { mark } }), { Authorization: 'Bearer bench' });
    }
  };
  return {
    clientPort,
    targetPort: port,
    memory: async () => {
      if (pushpin) return { rss: treeRss(pushpin.pid), heap: undefined };
      if (clustered) return { rss: treeRss(child.pid), heap: undefined };
      const usage = await child.ask<{ rss: number; heapUsed: number }>({ type: 'memory' });
      return { rss: usage.rss, heap: usage.heapUsed };
    },
    publish,
    stop: async () => {
      await child.stop();
      await pushpin?.stop();
      await redis?.close();
    },
  };
}

function stats(samples: number[], missing: number): Stats {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: percentile(samples, 100), missing };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function measure(target: Target, size: number, run: number, markBase: number): Promise<Measure> {
  const setup = await setUp(target);
  const clients = startChild(new URL('./support/capacity-clients.ts', import.meta.url));
  try {
    await settle();
    const before = await setup.memory();
    const opened = await clients.ask<{ opened: number; failed: number; retries: number; ms: number }>(
      { type: 'open', port: setup.clientPort, path: '/comet/sse?ch=bench', count: size, concurrency: 250 },
      180_000,
    );
    await settle();
    const after = await setup.memory();

    // Publishes not counted: the first ones through a fresh process pay for compiling its paths
    // (seen: the first two take 2–5 times as long as the next, on the floor and cometkit alike).
    let mark = markBase;
    for (let i = 0; i < WARM_UP_PUBLISHES; i++) {
      await clients.ask({ type: 'arm', first: mark, count: 1 });
      await setup.publish(mark);
      await clients.ask({ type: 'collect', timeoutMs: COLLECT_TIMEOUT_MS }, COLLECT_TIMEOUT_MS + 30_000);
      mark += 1;
    }

    // One publish at a time.
    const one: number[] = [];
    let oneMissing = 0;
    const acks: number[] = [];
    for (let i = 0; i < ONE_PUBLISH_REPEATS; i++) {
      await clients.ask({ type: 'arm', first: mark, count: 1 });
      const sent = now();
      await setup.publish(mark);
      acks.push(now() - sent);
      const { perMark } = await clients.ask<{ perMark: number[][] }>({ type: 'collect', timeoutMs: COLLECT_TIMEOUT_MS }, COLLECT_TIMEOUT_MS + 30_000);
      for (const at of perMark[0]!) {
        if (at === 0) oneMissing += 1;
        else one.push(at - sent);
      }
      mark += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Sustained: 10 events/s, with the health endpoint asked 4 times a second meanwhile.
    const count = SUSTAINED_RATE * SUSTAINED_SECONDS;
    await clients.ask({ type: 'arm', first: mark, count });
    const sentAt: number[] = [];
    const health: number[] = [];
    let publishing = true;
    const probe = (async () => {
      while (publishing) {
        const started = now();
        await fetch(`http://127.0.0.1:${setup.targetPort}/comet/health`).then((r) => r.arrayBuffer(), () => undefined);
        health.push(now() - started);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const start = now();
    const publishes: Array<Promise<void>> = [];
    for (let k = 0; k < count; k++) {
      const due = start + (k * 1000) / SUSTAINED_RATE;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt.push(now());
      const published = mark + k;
      publishes.push(
        setup.publish(published).then(() => {
          acks.push(now() - sentAt[published - mark]!);
        }),
      );
    }
    await Promise.all(publishes);
    publishing = false;
    const { perMark } = await clients.ask<{ perMark: number[][] }>({ type: 'collect', timeoutMs: COLLECT_TIMEOUT_MS }, COLLECT_TIMEOUT_MS + 30_000);
    await probe;
    const sustained: number[] = [];
    let sustainedMissing = 0;
    perMark.forEach((arrivals, k) => {
      for (const at of arrivals) {
        if (at === 0) sustainedMissing += 1;
        else sustained.push(at - sentAt[k]!);
      }
    });

    return {
      target,
      size,
      run,
      opened: opened.opened,
      openFailures: opened.failed,
      openRetries: opened.retries,
      openMs: opened.ms,
      bytesPerConn: (after.rss - before.rss) / Math.max(1, opened.opened),
      heapPerConn: after.heap === undefined || before.heap === undefined ? undefined : (after.heap - before.heap) / Math.max(1, opened.opened),
      one: stats(one, oneMissing),
      sustained: stats(sustained, sustainedMissing),
      healthP99: percentile(health, 99),
      ackP50: percentile(acks, 50),
    };
  } finally {
    await clients.ask({ type: 'close' }).catch(() => undefined);
    await clients.stop();
    await setup.stop();
  }
}

const median = (values: number[]): number => percentile(values, 50);
const range = (values: number[], digits = 0): string =>
  values.length < 2 ? '' : `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/** `--n`: the load generator's run, past what one process holds. */
async function atScale(sizes: string): Promise<void> {
  const parsed = sizes.split(',').map(Number);
  if (parsed.some((n) => !Number.isInteger(n) || n < 1 || n > 200_000)) throw new Error(`--n takes sizes from 1 to 200000, comma-separated, not ${sizes}`);
  const targets = (option('targets')?.split(',') ?? [...SCALE_TARGETS]).filter((t): t is ScaleTarget => (SCALE_TARGETS as readonly string[]).includes(t));
  const perWorker = Number(option('per-worker') ?? 15_000);
  if (!(perWorker >= 100 && perWorker <= 18_000)) throw new Error('--per-worker takes 100 to 18000: a worker holds its sockets under 20,000 open files');
  const longPoll = Number(option('long-poll') ?? 0);
  if (!(longPoll >= 0 && longPoll <= 1)) throw new Error('--long-poll takes a share from 0 to 1');
  const plot = option('plot') ?? new URL('../docs/benchmarks/capacity.svg', import.meta.url).pathname;
  await capacityAtScale({ sizes: parsed, targets, perWorker, longPoll, plotPath: plot === 'none' ? undefined : plot, jsonPath: option('json'), append: process.argv.includes('--append') });
}

export default async function capacity(): Promise<void> {
  const large = option('n');
  if (large !== undefined) return atScale(large);
  const sizes = (option('sizes') ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0 && n <= 10_000);
  const runs = Math.min(10, Math.max(1, Number(option('runs') ?? 3)));
  let targets = (option('targets')?.split(',') ?? [...TARGETS]).filter((t): t is Target => (TARGETS as readonly string[]).includes(t));
  const { redis, workers } = deployment();
  if (redis && targets.includes('cometkit')) console.log(`\ncometkit on Redis (redis-server on loopback, appendfsync everysec), ${workers} process(es)`);
  if (!hasPushpin()) {
    console.log('\nPushpin is not installed (Debian: apt-get install pushpin): measuring without it.');
    targets = targets.filter((t) => t !== 'pushpin' && t !== 'cometkit-grip');
  }
  console.log(
    `\nsizes ${sizes.join(', ')}; targets ${targets.join(', ')}; ${runs} run(s); publishes: ${ONE_PUBLISH_REPEATS} single, then ${SUSTAINED_RATE}/s for ${SUSTAINED_SECONDS} s; ` +
      `cometkit heartbeat ${heartbeatMs() / 1000} s; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`,
  );

  const results: Measure[] = [];
  let mark = 1;
  for (let run = 1; run <= runs; run++) {
    for (const size of sizes) {
      for (const target of targets) {
        let result: Measure;
        try {
          result = await measure(target, size, run, mark);
        } catch (error) {
          console.log(`run ${run} ${target} ${size}: failed, left out of the table:`, error);
          continue;
        } finally {
          mark += 1000;
        }
        results.push(result);
        console.log(
          `run ${run} ${cometLabel(target)} ${size}: ${result.opened} open in ${(result.openMs / 1000).toFixed(1)} s, ` +
            `${(result.bytesPerConn / 1024).toFixed(1)} KiB/conn, one p99 ${result.one.p99.toFixed(0)} ms, ` +
            `sustained p99 ${result.sustained.p99.toFixed(0)} ms, missing ${result.one.missing + result.sustained.missing}, load ${loadavg()[0]!.toFixed(1)}`,
        );
      }
    }
  }

  const rows = [];
  for (const size of sizes) {
    const floor = results.filter((r) => r.target === 'floor' && r.size === size);
    for (const target of targets) {
      const mine = results.filter((r) => r.target === target && r.size === size);
      const p99s = mine.map((r) => r.one.p99);
      const kib = mine.map((r) => r.bytesPerConn / 1024);
      rows.push({
        size,
        target: cometLabel(target),
        'KiB/conn': `${median(kib).toFixed(1)} (${range(kib, 1)})`,
        'heap KiB/conn': mine.every((r) => r.heapPerConn !== undefined) ? median(mine.map((r) => r.heapPerConn! / 1024)).toFixed(2) : '',
        'open s': `${median(mine.map((r) => r.openMs / 1000)).toFixed(1)}`,
        'one p50': median(mine.map((r) => r.one.p50)).toFixed(0),
        'one p99': `${median(p99s).toFixed(0)} (${range(p99s)})`,
        'one max': median(mine.map((r) => r.one.max)).toFixed(0),
        '×floor p99': floor.length > 0 ? (median(p99s) / median(floor.map((r) => r.one.p99))).toFixed(2) : '',
        '×floor mem': floor.length > 0 ? (median(kib) / median(floor.map((r) => r.bytesPerConn / 1024))).toFixed(2) : '',
        '10/s p50': median(mine.map((r) => r.sustained.p50)).toFixed(0),
        '10/s p99': `${median(mine.map((r) => r.sustained.p99)).toFixed(0)} (${range(mine.map((r) => r.sustained.p99))})`,
        'health p99': median(mine.map((r) => r.healthP99)).toFixed(0),
        'ack p50': median(mine.map((r) => r.ackP50)).toFixed(1),
        missing: mine.reduce((sum, r) => sum + r.one.missing + r.sustained.missing + r.openFailures, 0),
      });
    }
  }
  printTable(`Capacity: idle SSE subscribers of one channel (median of ${runs} run(s), range in brackets; times in ms)`, rows);
}
