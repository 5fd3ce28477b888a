/**
 * The harness's /control/cluster/ endpoints: a Redis + two processes +
 * nginx (TLS, HTTP/2) deployment for browser tests, started on the first
 * request only, so runs that never ask pay nothing.
 *
 *   POST /control/cluster/start             → { url } or { skip } (binaries missing, CI unset)
 *   POST /control/cluster/publish           [{ channel, data, type? }] → events
 *   GET  /control/cluster/streams?prefix=   → { streams: [per process] }
 *   POST /control/cluster/crash?prefix=     SIGKILLs the process holding the prefix's stream, restarts it → { crashed: index }
 *   POST /control/cluster/drain?prefix=     SIGTERMs (drains) the process holding the prefix's stream, restarts it → { drained: index }
 *   GET  /control/cluster/protocols         → { protocols: { "HTTP/2.0": n, … } } as nginx logged them
 */
import type { IncomingMessage } from 'node:http';
import { HttpStatusError } from '../../../server/http/http-error.js';
import { scaleOutBinaries } from './binaries.js';
import { startCluster, type PublishItem, type TestCluster } from './cluster.js';

export interface ClusterControl {
  /** Answers a /control/cluster/ request with a JSON body. */
  handle(req: IncomingMessage, path: URL, body: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export function clusterControl(): ClusterControl {
  let starting: Promise<TestCluster> | undefined;
  const cluster = (): Promise<TestCluster> => {
    if (!starting) throw new HttpStatusError(409, 'cluster-not-started', 'POST /control/cluster/start first.');
    return starting;
  };
  return {
    async handle(req, path, body) {
      switch (`${req.method} ${path.pathname}`) {
        case 'POST /control/cluster/start': {
          const { skip } = scaleOutBinaries(['redis-server', 'nginx', 'openssl']);
          if (skip) return { skip };
          // A short drain window: a drained page is back within 2 s.
          starting ??= startCluster({ processes: 2, heartbeatMs: 1000, env: { COMET_DRAIN_WINDOW_MS: '2000' } });
          return { url: (await starting).url };
        }
        case 'POST /control/cluster/publish':
          return (await cluster()).publish((await body()) as PublishItem[]);
        case 'GET /control/cluster/streams':
          return { streams: await (await cluster()).streams(path.searchParams.get('prefix') ?? '') };
        case 'POST /control/cluster/crash': {
          const running = await cluster();
          const index = await holderOf(running, path.searchParams.get('prefix') ?? '');
          await running.crash(running.processes[index]!);
          return { crashed: index };
        }
        case 'POST /control/cluster/drain': {
          const running = await cluster();
          const index = await holderOf(running, path.searchParams.get('prefix') ?? '');
          await running.restart(running.processes[index]!);
          return { drained: index };
        }
        case 'GET /control/cluster/protocols': {
          const counts: Record<string, number> = {};
          for (const protocol of await (await cluster()).nginx.protocols()) counts[protocol] = (counts[protocol] ?? 0) + 1;
          return { protocols: counts };
        }
        default:
          throw new HttpStatusError(404, 'not-found', `No cluster control endpoint ${req.method} ${path.pathname}.`);
      }
    },
    async close() {
      await (await starting?.catch(() => undefined))?.close();
    },
  };
}

/** The index of the process that holds a stream of `prefix`. */
async function holderOf(running: TestCluster, prefix: string): Promise<number> {
  // The stream may be between two polls: look again for a while.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const index = (await running.streams(prefix)).findIndex((count) => count > 0);
    if (index !== -1) return index;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new HttpStatusError(404, 'no-stream', `No process holds a stream of ${prefix}.`);
}
