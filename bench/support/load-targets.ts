/**
 * The servers the load generator measures, each a process tree of its own
 * started with the open-file soft limit raised to the hard one (20,000 here;
 * node:cluster workers inherit it, so `--workers` is how a server holds more
 * connections than one process may):
 *
 * - `startFloor`: bench/support/floor-server.ts, bare node:http SSE;
 * - `startCometkit`: the standalone server (`cometkit-server`, the built
 *   dist/server/cli.js or the sources' server/cli.ts through tsx), on the
 *   memory broker in one process or on Redis with `--workers N`.
 *
 * Memory and CPU are of the whole tree (primary and workers, summed).
 */
import { fileURLToPath } from 'node:url';
import { startProcess, type RunningProcess } from '../../test/support/scale/child-process.js';
import { freePort } from '../../test/support/scale/free-port.js';
import { OPEN_FILES } from './child.js';
import { processTree, treeCpuMs, treeRss } from './process-memory.js';

export interface LoadTarget {
  readonly port: number;
  readonly pid: number;
  /** One event carrying `"mark":N`, answered by the server. */
  publish(mark: number): Promise<void>;
  /** RSS of the tree, bytes. */
  rss(): number;
  /** CPU of the tree so far, ms. */
  cpuMs(): number;
  /** Ends the tree: SIGKILL goes to every process of it at once (a crash), anything else to the primary, which stops its workers. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const FLOOR = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
export const SOURCE_CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
const PUBLISH_KEY = 'bench';

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `node [--import tsx] script args` with the soft open-file limit at the hard one. */
function startNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): RunningProcess {
  const tsx = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const command = [...tsx, script, ...args].map(quote).join(' ');
  return startProcess('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec ${quote(process.execPath)} ${command}`], { env });
}

function target(running: RunningProcess, port: number, publish: (mark: number) => Promise<void>): LoadTarget {
  const pid = running.child.pid!;
  return {
    port,
    pid,
    publish,
    rss: () => treeRss(pid),
    cpuMs: () => treeCpuMs(pid),
    stop: async (signal = 'SIGTERM') => {
      if (signal === 'SIGKILL') {
        for (const member of processTree(pid).reverse()) {
          try {
            process.kill(member, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
      await running.stop(signal);
    },
  };
}

/** Publishes retried when the server says so: PROTOCOL.md asks a publisher to retry a `503` (the store busy) with backoff. */
const PUBLISH_ATTEMPTS = 5;
/** Publishes the server asked to be sent again, over the run. */
export const publishRetries = { count: 0, last: '' };

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
    } catch (error) {
      // A kept-alive connection the server closed as idle just as the publish went out (its timer ran late
      // behind a fan-out): sent again. Had it been stored after all, the subscribers would count it twice.
      if (attempt === PUBLISH_ATTEMPTS) throw error;
      publishRetries.count += 1;
      publishRetries.last = String((error as { cause?: unknown }).cause ?? error);
      continue;
    }
    const answer = await response.text();
    if (response.ok) return;
    if (response.status !== 503 || attempt === PUBLISH_ATTEMPTS) throw new Error(`publish to ${url}: ${response.status} ${answer.slice(0, 200)}`);
    publishRetries.count += 1;
    publishRetries.last = answer.slice(0, 200);
    const after = Number(response.headers.get('retry-after'));
    await new Promise((resolve) => setTimeout(resolve, Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 250 * attempt));
  }
}

export async function startFloor(options: { workers: number }): Promise<LoadTarget> {
  const port = await freePort();
  const running = startNode(FLOOR, ['--workers', String(options.workers), '--port', String(port)], process.env);
  await running.waitFor(`floor listening on ${port}`, 60_000);
  return target(running, port, (mark) => post(`http://127.0.0.1:${port}/comet/publish`, `{"mark":${mark}}`));
}

export interface CometkitOptions {
  /** Processes on the port (more than 1 needs `redisUrl`). */
  readonly workers: number;
  readonly redisUrl?: string;
  /** The whole server's cap of open streams and polls (divided among the workers). */
  readonly maxConnections: number;
  readonly heartbeatMs?: number;
  /** dist/server/cli.js (as deployed, the default) or server/cli.ts (the sources, through tsx). */
  readonly cli?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export async function startCometkit(options: CometkitOptions): Promise<LoadTarget> {
  if (options.workers > 1 && !options.redisUrl) throw new Error('cometkit with several workers needs Redis: processes share channels through it only');
  const port = await freePort();
  const args = options.workers > 1 ? ['--workers', String(options.workers)] : [];
  const running = startNode(options.cli ?? BUILT_CLI, args, {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    COMET_PUBLISH_KEY: PUBLISH_KEY,
    COMET_MAX_CONNECTIONS: String(options.maxConnections),
    COMET_HEARTBEAT_MS: String(options.heartbeatMs ?? 120_000),
    ...(options.redisUrl ? { COMET_REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  });
  await running.waitFor(options.workers > 1 ? `(${options.workers} workers on Redis)` : 'cometkit server on', 90_000);
  return target(running, port, (mark) =>
    post(`http://127.0.0.1:${port}/comet/publish`, JSON.stringify({ channel: 'bench', data: { mark } }), { Authorization: `Bearer ${PUBLISH_KEY}` }),
  );
}
