/**
 * The capacity benchmark past one process (`npm run bench -- capacity --n
 * 10000,25000,50000,100000`): for each N, in the same run and one after the
 * other on a fresh server,
 *
 * - `floor`: bare node:http SSE in W node:cluster workers (floor-server.ts);
 * - `cometkit, Redis`: the standalone server with `--workers W` on a private
 *   redis-server (appendfsync everysec), fresh for every N;
 * - `cometkit, memory`: the standalone server in one process, where N fits
 *   one process's open files (N ≤ `--per-worker`).
 *
 * W = ⌈N / per-worker⌉ (15,000 by default: a worker's sockets stay under the
 * 20,000 open files a process may hold here, with room for round-robin's
 * unevenness). The subscribers come from ⌈N / 12,500⌉ client processes of
 * the load generator (load-fleet.ts), 1,000 per source address.
 *
 * Measured: connect rate (subscribers / time until the last one had its
 * hello, opening 250 at a time per client process); memory per connection
 * (RSS of the server's whole process tree after opening minus before);
 * server CPU per connection opened; one publish (sent → read on every
 * subscriber; p50/p99/max over 5 publishes after 2 uncounted ones) and the
 * server CPU it cost; 10 events/s for 5 s (p99, and the server's CPU share
 * meanwhile). The load average is recorded with each row: the machine is
 * shared, so every time is an upper bound; the ratios against the floor of
 * the same run are the figures to compare.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import { startRedis, type TestRedis } from '../../test/support/scale/redis-server.js';
import { histogramPercentile, MAX_PER_PROCESS, startFleet, type Round } from './load-fleet.js';
import { publishRetries, startCometkit, startFloor, type LoadTarget } from './load-targets.js';
import { printTable } from './stats.js';
import { capacityPlot } from './capacity-plot.js';

export type ScaleTarget = 'floor' | 'cometkit-redis' | 'cometkit-memory';
export const SCALE_TARGETS: readonly ScaleTarget[] = ['floor', 'cometkit-redis', 'cometkit-memory'];

export interface ScaleOptions {
  readonly sizes: readonly number[];
  readonly targets: readonly ScaleTarget[];
  readonly perWorker: number;
  /** Share of cometkit's subscribers that long-poll instead of streaming (0–1; the floor streams only). */
  readonly longPoll: number;
  readonly plotPath: string | undefined;
  readonly jsonPath: string | undefined;
  /** Keep the results already in `jsonPath` that this run does not measure again (one table and plot from several runs). */
  readonly append: boolean;
}

export interface ScaleResult {
  readonly target: ScaleTarget;
  readonly label: string;
  readonly size: number;
  readonly workers: number;
  readonly clientProcesses: number;
  readonly addresses: number;
  readonly opened: number;
  readonly failed: number;
  readonly retries: number;
  readonly openSeconds: number;
  readonly connectsPerSecond: number;
  readonly kibPerConn: number;
  readonly serverRssMiB: number;
  readonly cpuUsPerOpen: number;
  readonly one: { p50: number; p99: number; max: number; missing: number; doubled: number };
  readonly cpuMsPerPublish: number;
  readonly sustained: { p50: number; p99: number; max: number; missing: number; doubled: number };
  /** Server CPU during the 10/s phase, in cores (1 = one core busy all the time). */
  readonly sustainedCores: number;
  readonly load: readonly [number, number];
  /** Publishes answered 503 and sent again (counted from the first send). */
  readonly publishRetries: number;
}

const WARM_UP = 2;
const ONE_REPEATS = 5;
const RATE = 10;
const SECONDS = 5;
const PER_CLIENT_PROCESS = 12_500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): number => performance.timeOrigin + performance.now();

function label(target: ScaleTarget, workers: number, longPoll: number): string {
  const processes = `${workers} process${workers > 1 ? 'es' : ''}`;
  if (target === 'floor') return `floor, ${processes}`;
  const polls = longPoll > 0 ? `, ${Math.round(longPoll * 100)} % long-poll` : '';
  if (target === 'cometkit-memory') return `cometkit, memory, 1 process${polls}`;
  return `cometkit, Redis, ${processes}${polls}`;
}

function summarise(round: Round): { p50: number; p99: number; max: number; missing: number; doubled: number } {
  return {
    p50: histogramPercentile(round.histogram, 50),
    p99: histogramPercentile(round.histogram, 99),
    max: histogramPercentile(round.histogram, 100),
    missing: round.missing,
    doubled: round.doubled,
  };
}

function merge(rounds: readonly Round[]): Round {
  const histogram = new Map<number, number>();
  for (const round of rounds) for (const [ms, n] of round.histogram) histogram.set(ms, (histogram.get(ms) ?? 0) + n);
  return {
    histogram,
    arrivals: rounds.reduce((sum, r) => sum + r.arrivals, 0),
    missing: rounds.reduce((sum, r) => sum + r.missing, 0),
    doubled: rounds.reduce((sum, r) => sum + r.doubled, 0),
  };
}

async function measure(target: ScaleTarget, size: number, options: ScaleOptions, markBase: number): Promise<ScaleResult> {
  const workers = target === 'cometkit-memory' ? 1 : Math.max(1, Math.ceil(size / options.perWorker));
  const clientProcesses = Math.max(1, Math.ceil(size / PER_CLIENT_PROCESS));
  if (clientProcesses * MAX_PER_PROCESS < size) throw new Error(`too many subscribers for ${clientProcesses} client processes`);
  const load0 = loadavg()[0]!;
  const retriesBefore = publishRetries.count;
  let redis: TestRedis | undefined;
  let server: LoadTarget | undefined;
  const fleet = startFleet(clientProcesses);
  // Generous: on a busy machine the tail of 100,000 subscribers can take tens of seconds.
  const collectMs = Math.max(30_000, size * 0.6);
  try {
    if (target === 'floor') server = await startFloor({ workers });
    else {
      if (target === 'cometkit-redis') redis = await startRedis({ fsync: 'everysec' });
      server = await startCometkit({
        workers,
        ...(redis ? { redisUrl: redis.url } : {}),
        maxConnections: Math.ceil(size * 1.5),
        env: {
          // Opening is what is measured here, not admission (the storm bench measures that): every start is taken.
          COMET_MAX_STREAM_STARTS_PER_SECOND: '1000000',
          // With the default 1 s, publishes at 10/s to 12,500 streams per worker on this saturated machine were
          // refused 503 broker-unavailable (25,000 on 2 workers, load average 17): the command waited behind
          // fan-outs holding the loop. The fan-out, not that timer, is what is measured here.
          COMET_REDIS_TIMEOUT_MS: '10000',
        },
      });
    }
    await sleep(1000);
    const rssBefore = server.rss();
    const cpuBefore = server.cpuMs();
    const longPoll = target === 'floor' ? 0 : Math.round(size * options.longPoll);
    const opened = await fleet.open({ port: server.port, sse: size - longPoll, longPoll });
    const cpuOpened = server.cpuMs();
    await sleep(2000);
    const rssAfter = server.rss();

    let mark = markBase;
    for (let i = 0; i < WARM_UP; i++) {
      await fleet.arm(mark, 1);
      const sent = now();
      await server.publish(mark);
      await fleet.collect([sent], collectMs);
      mark += 1;
    }

    const ones: Round[] = [];
    const cpuOneBefore = server.cpuMs();
    for (let i = 0; i < ONE_REPEATS; i++) {
      await fleet.arm(mark, 1);
      const sent = now();
      await server.publish(mark);
      ones.push(await fleet.collect([sent], collectMs));
      mark += 1;
    }
    const cpuOne = server.cpuMs() - cpuOneBefore;

    const count = RATE * SECONDS;
    await fleet.arm(mark, count);
    const sentAt: number[] = [];
    const publishes: Array<Promise<unknown>> = [];
    const failures: unknown[] = [];
    const cpuSustainedBefore = server.cpuMs();
    const start = now();
    for (let k = 0; k < count; k++) {
      const wait = start + (k * 1000) / RATE - now();
      if (wait > 0) await sleep(wait);
      sentAt.push(now());
      // Caught as they come: one refused publish must not end the whole run unhandled.
      publishes.push(server.publish(mark + k).catch((error: unknown) => failures.push(error)));
    }
    await Promise.all(publishes);
    if (failures.length > 0) throw new Error(`${failures.length} of ${count} publishes at ${RATE}/s failed; first: ${String(failures[0])}`);
    const sustainedRound = await fleet.collect(sentAt, collectMs);
    const sustainedMs = now() - start;
    const cpuSustained = server.cpuMs() - cpuSustainedBefore;

    return {
      target,
      label: label(target, workers, options.longPoll),
      size,
      workers,
      clientProcesses,
      addresses: opened.addresses,
      opened: opened.opened,
      failed: opened.failed,
      retries: opened.retries,
      openSeconds: opened.ms / 1000,
      connectsPerSecond: opened.opened / (opened.ms / 1000),
      kibPerConn: (rssAfter - rssBefore) / 1024 / Math.max(1, opened.opened),
      serverRssMiB: rssAfter / 1024 / 1024,
      cpuUsPerOpen: ((cpuOpened - cpuBefore) * 1000) / Math.max(1, opened.opened),
      one: summarise(merge(ones)),
      cpuMsPerPublish: cpuOne / ONE_REPEATS,
      sustained: summarise(sustainedRound),
      sustainedCores: cpuSustained / sustainedMs,
      load: [load0, loadavg()[0]!],
      publishRetries: publishRetries.count - retriesBefore,
    };
  } finally {
    await fleet.stop();
    await server?.stop('SIGKILL');
    await redis?.close();
  }
}

export async function capacityAtScale(options: ScaleOptions): Promise<ScaleResult[]> {
  console.log(
    `\nat scale: N ${options.sizes.join(', ')}; targets ${options.targets.join(', ')}; ${options.perWorker} subscribers per worker at most; ` +
      `long-poll share ${options.longPoll}; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`,
  );
  const results: ScaleResult[] = [];
  let mark = 1;
  for (const size of options.sizes) {
    for (const target of options.targets) {
      if (target === 'cometkit-memory' && size > options.perWorker) continue;
      try {
        const result = await measure(target, size, options, mark);
        results.push(result);
        console.log(
          `${result.label} ${size}: ${result.opened} open in ${result.openSeconds.toFixed(1)} s (${result.failed} failed, ${result.retries} retried, ${result.addresses} source addresses), ` +
            `${result.kibPerConn.toFixed(1)} KiB/conn, one p99 ${result.one.p99} ms, 10/s p99 ${result.sustained.p99} ms, ` +
            `missing ${result.one.missing + result.sustained.missing}, doubled ${result.one.doubled + result.sustained.doubled}, ` +
            `publishes retried ${result.publishRetries}${result.publishRetries > 0 ? ` (${publishRetries.last})` : ''}, load ${result.load.map((n) => n.toFixed(1)).join('→')}`,
        );
      } catch (error) {
        console.log(`${target} ${size}: failed, left out of the table:`, error);
      } finally {
        mark += 1000;
      }
    }
  }

  if (options.append && options.jsonPath && existsSync(options.jsonPath)) {
    const earlier = (JSON.parse(readFileSync(options.jsonPath, 'utf8')) as { results: ScaleResult[] }).results;
    const kept = earlier.filter((old) => !results.some((r) => r.target === old.target && r.size === old.size));
    results.unshift(...kept);
    results.sort((a, b) => a.size - b.size || SCALE_TARGETS.indexOf(a.target) - SCALE_TARGETS.indexOf(b.target));
  }
  const rows = results.map((r) => {
    const floor = results.find((f) => f.target === 'floor' && f.size === r.size);
    const ratio = (mine: number, theirs: number | undefined): string => (floor && r !== floor && theirs ? (mine / theirs).toFixed(2) : '');
    return {
      N: r.size,
      target: r.label,
      opened: r.opened,
      'opens/s': r.connectsPerSecond.toFixed(0),
      'KiB/conn': r.kibPerConn.toFixed(1),
      '×floor mem': ratio(r.kibPerConn, floor?.kibPerConn),
      'server MiB': r.serverRssMiB.toFixed(0),
      'CPU µs/open': r.cpuUsPerOpen.toFixed(0),
      'one p50': r.one.p50,
      'one p99': r.one.p99,
      '×floor p99': ratio(r.one.p99, floor?.one.p99),
      'CPU ms/publish': r.cpuMsPerPublish.toFixed(0),
      '10/s p99': r.sustained.p99,
      '10/s cores': r.sustainedCores.toFixed(2),
      'missing/doubled': `${r.one.missing + r.sustained.missing + r.failed}/${r.one.doubled + r.sustained.doubled}`,
      load: r.load.map((n) => n.toFixed(1)).join('→'),
      retried: r.publishRetries ?? 0,
    };
  });
  printTable('Capacity at scale: idle subscribers of one channel (times in ms)', rows);
  if (options.jsonPath) {
    mkdirSync(dirname(options.jsonPath), { recursive: true });
    writeFileSync(options.jsonPath, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
    console.log(`\nresults: ${options.jsonPath}`);
  }
  if (options.plotPath && results.length > 0) {
    mkdirSync(dirname(options.plotPath), { recursive: true });
    writeFileSync(options.plotPath, capacityPlot(results));
    console.log(`plot: ${options.plotPath}`);
  }
  return results;
}
