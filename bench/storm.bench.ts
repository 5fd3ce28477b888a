/**
 * Restart storm: N resuming SSE clients (raw sockets, each as a bare
 * EventSource behaves: `retry:`, Last-Event-ID) on one standalone server
 * process (dist/server/cli.js, as deployed) on Redis; 2 events/s keep
 * coming from a publisher on Redis; the server is killed with SIGKILL and
 * started again. Measured: time from the restart (and from the kill) until
 * every client holds every event published up to the restart, the
 * restarted server's CPU until then, refusals waited out, and events lost
 * or doubled over the run (both must be 0).
 *
 * `npm run bench -- storm [--clients 10000] [--runs 1] [--workers N] [--starts-per-second N] [--scheduling rr|none] [--cpu-prof <dir>]`.
 * Up to 10,000 clients, one server process and one client process; past
 * that (up to 100,000) the clients are spread over processes of 10,000 and
 * the server runs `--workers ⌈clients / 15,000⌉` (each under the 20,000
 * open files a process may hold here); SIGKILL then goes to the primary and
 * every worker at once, and the CPU counted is the whole restarted tree's.
 * `--cpu-prof` writes the restarted server's profile (one process only).
 */
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { startProcess, type RunningProcess } from '../test/support/scale/child-process.js';
import { freePort } from '../test/support/scale/free-port.js';
import { startRedis } from '../test/support/scale/redis-server.js';
import { runRestartStorm, type StormResult, type StormServer } from '../test/support/scale/restart-storm.js';
import { OPEN_FILES } from './support/child.js';
import { processTree, treeCpuMs } from './support/process-memory.js';
import { percentile, printTable } from './support/stats.js';

const CLI = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

interface Deployment {
  readonly clients: number;
  readonly workers: number;
  /** The whole server's admission rate (COMET_MAX_STREAM_STARTS_PER_SECOND), else the default. */
  readonly startsPerSecond: string | undefined;
  /**
   * How node:cluster hands connections to workers (NODE_CLUSTER_SCHED_POLICY): `rr`, Node's default on
   * Linux, has the primary accept each one and hold it until a worker takes it; `none` lets every worker
   * accept from the shared socket itself.
   */
  readonly scheduling: 'rr' | 'none' | undefined;
  readonly profileDir: string | undefined;
}

function standaloneServer(port: number, redisUrl: string, { clients, workers, startsPerSecond, scheduling, profileDir }: Deployment): StormServer {
  let running: RunningProcess | undefined;
  let starts = 0;
  return {
    port,
    get pid() {
      return running?.child.pid;
    },
    cpuMs() {
      const pid = running?.child.pid;
      return pid === undefined ? undefined : treeCpuMs(pid);
    },
    async start() {
      starts += 1;
      // Only the restarted process is profiled: the storm is what it meets.
      const profile = profileDir && starts === 2 ? `--cpu-prof --cpu-prof-dir='${profileDir}' ` : '';
      const several = workers > 1 ? ` --workers ${workers}` : '';
      running = startProcess('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec "${process.execPath}" ${profile}'${CLI}'${several}`], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          COMET_REDIS_URL: redisUrl,
          COMET_PUBLISH_KEY: 'storm',
          // Past the default cap (10,000 in all, divided among the workers), room for the whole crowd.
          ...(clients > 10_000 ? { COMET_MAX_CONNECTIONS: String(Math.ceil(clients * 1.5)) } : {}),
          ...(startsPerSecond ? { COMET_MAX_STREAM_STARTS_PER_SECOND: startsPerSecond } : {}),
          ...(scheduling ? { NODE_CLUSTER_SCHED_POLICY: scheduling } : {}),
        },
      });
      await running.waitFor('cometkit server on', 60_000);
    },
    async stop(signal = 'SIGTERM') {
      const current = running;
      running = undefined;
      // A crash of the whole server: every worker dies with the primary, none is left to close its streams.
      if (signal === 'SIGKILL' && current?.child.pid !== undefined) {
        for (const pid of processTree(current.child.pid).reverse()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
      await current?.stop(signal);
    },
  };
}

export default async function storm(): Promise<void> {
  const clients = Math.min(100_000, Math.max(1, Number(option('clients') ?? 10_000)));
  const runs = Math.min(5, Math.max(1, Number(option('runs') ?? 1)));
  const workers = Math.max(1, Number(option('workers') ?? Math.ceil(clients / 15_000)));
  const clientProcesses = Math.ceil(clients / 10_000);
  const profileDir = workers > 1 ? undefined : option('cpu-prof');
  // The admission rate of the whole server (default 2,000 starts/s, divided among the workers).
  const startsPerSecond = option('starts-per-second');
  const scheduling = option('scheduling');
  if (scheduling !== undefined && scheduling !== 'rr' && scheduling !== 'none') throw new Error(`--scheduling takes rr or none, not ${scheduling}`);
  console.log(
    `\nrestart storm: ${clients} clients from ${clientProcesses} process(es), server ${workers} process(es), ${runs} run(s), 2 events/s; ` +
      `admission ${startsPerSecond ?? 'default (2000)'} starts/s; cluster scheduling ${scheduling ?? 'default'}; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`,
  );
  const results: StormResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const redis = await startRedis({ fsync: 'everysec' });
    const server = standaloneServer(await freePort(), redis.url, { clients, workers, startsPerSecond, scheduling, profileDir });
    try {
      await server.start();
      const result = await runRestartStorm({
        clients,
        redis,
        server,
        clientProcesses,
        // A crowd past one process's takes longer to come back: the wait scales with it (at least the 60 s of 10,000).
        catchUpTimeoutMs: Math.max(60_000, clients * 6),
        log: (line) => console.log(`run ${run}: ${line}`),
      });
      if (profileDir) await server.stop('SIGINT');
      results.push(result);
      console.log(
        `run ${run}: caught up ${result.afterRestartMs === undefined ? `— (${result.caught} of ${result.clients})` : `${(result.afterRestartMs / 1000).toFixed(1)} s`} after the restart, ` +
          `server CPU ${result.serverCpuMs === undefined ? '?' : (result.serverCpuMs / 1000).toFixed(1)} s, refusals ${result.refusals}, listen overflows ${result.listenOverflows ?? '?'}, lost ${result.lost}, doubled ${result.doubled}`,
      );
    } finally {
      await server.stop('SIGKILL');
      await redis.close();
    }
  }
  const seconds = (values: Array<number | undefined>): string => {
    const known = values.filter((v): v is number => v !== undefined).map((v) => v / 1000);
    if (known.length === 0) return '—';
    const median = percentile(known, 50).toFixed(1);
    return known.length > 1 ? `${median} (${Math.min(...known).toFixed(1)}–${Math.max(...known).toFixed(1)})` : median;
  };
  printTable(`Restart storm, ${clients} resuming SSE clients, ${workers} server process(es) on Redis (median of ${runs}, range in brackets)`, [
    {
      clients,
      'all caught up': `${results.filter((r) => r.afterRestartMs !== undefined).length} of ${results.length} runs`,
      's after restart': seconds(results.map((r) => r.afterRestartMs)),
      's after kill': seconds(results.map((r) => r.afterKillMs)),
      'server CPU s': seconds(results.map((r) => r.serverCpuMs)),
      refusals: results.map((r) => r.refusals).join(', '),
      'listen overflows': results.map((r) => r.listenOverflows ?? '?').join(', '),
      lost: results.reduce((sum, r) => sum + r.lost, 0),
      doubled: results.reduce((sum, r) => sum + r.doubled, 0),
    },
  ]);
}
