import cluster, { type Worker } from 'node:cluster';
import type { AggregatorRegistry, PrometheusContentType, Registry } from 'prom-client';
import type { GroupStats, WorkerGroup } from '../metrics/worker-group.js';
import { promClientModule } from '../metrics/prom-client-module.js';
import type { StreamStats } from '../stream/connections.js';

/**
 * `--workers N` share one port, and node:cluster hands each request to one
 * worker; only the primary knows them all. So the worker that is asked for
 * `/health` or `/metrics` asks the primary, which asks every worker (for
 * metrics, through prom-client's AggregatorRegistry) and answers the sums.
 */
const ASK = 'cometkit:group-ask';
const ANSWER = 'cometkit:group-answer';
const STATS_QUERY = 'cometkit:stats-query';
const STATS_REPLY = 'cometkit:stats-reply';

/** How long the primary waits for the workers: one that does not answer is counted as unanswered, not waited for. */
const WORKER_WAIT_MS = 2000;
/** How long a worker waits for the primary (which itself gives up on workers after WORKER_WAIT_MS, or prom-client's 5 s). */
const PRIMARY_WAIT_MS = 8000;

type Ask = { type: typeof ASK; id: number; what: 'stats' | 'metrics' };
type Answer = { type: typeof ANSWER; id: number; stats?: GroupStats; text?: string; error?: string };
type StatsQuery = { type: typeof STATS_QUERY; id: number };
type StatsReply = { type: typeof STATS_REPLY; id: number; stats: StreamStats };

function typed<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** The group as a worker sees it (call in a worker of node:cluster). */
export function workerGroupOverIpc(): WorkerGroup {
  let local: { stats(): StreamStats } | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  process.on('message', (message: unknown) => {
    if (typed<StatsQuery>(message, STATS_QUERY)) {
      if (local) process.send?.({ type: STATS_REPLY, id: message.id, stats: local.stats() } satisfies StatsReply);
      return;
    }
    if (!typed<Answer>(message, ANSWER)) return;
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    clearTimeout(entry.timer);
    if (message.error !== undefined) entry.reject(new Error(message.error));
    else entry.resolve(message);
  });
  const ask = (what: Ask['what']): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the primary process did not answer within ${PRIMARY_WAIT_MS} ms`));
      }, PRIMARY_WAIT_MS);
      waiting.set(id, { resolve, reject, timer });
      process.send?.({ type: ASK, id, what } satisfies Ask);
    });
  return {
    attach(attached) {
      local = attached;
      if (attached.metricsRegistry) {
        const prom = promClientModule();
        // The worker's half of prom-client's aggregation: it answers the primary with this registry.
        prom.AggregatorRegistry.setRegistries([attached.metricsRegistry as Registry]);
        new prom.AggregatorRegistry();
      }
    },
    stats: async () => (await ask('stats')).stats!,
    metrics: async () => (await ask('metrics')).text!,
  };
}

/** The primary's half: answers workers' questions by asking every live worker. */
export function answerWorkers(): void {
  let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;
  let next = 0;
  const gathering = new Map<number, { replies: StreamStats[]; expected: Set<Worker>; done(): void }>();

  // /health needs no key: however many workers ask at once, one round of questions is under way.
  let statsUnderWay: Promise<GroupStats> | undefined;
  let metricsUnderWay: Promise<string> | undefined;
  const sharedStats = (): Promise<GroupStats> => (statsUnderWay ??= gatherStats().finally(() => (statsUnderWay = undefined)));

  const gatherStats = (): Promise<GroupStats> =>
    new Promise((resolve) => {
      const id = next++;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
      const replies: StreamStats[] = [];
      const finish = (): void => {
        clearTimeout(timer);
        gathering.delete(id);
        resolve(sumStats(replies, workers.length - replies.length));
      };
      const timer = setTimeout(finish, WORKER_WAIT_MS);
      gathering.set(id, { replies, expected: new Set(workers), done: finish });
      for (const worker of workers) worker.send({ type: STATS_QUERY, id } satisfies StatsQuery);
      if (workers.length === 0) finish();
    });

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (typed<StatsReply>(message, STATS_REPLY)) {
      const entry = gathering.get(message.id);
      if (!entry || !entry.expected.delete(worker)) return;
      entry.replies.push(message.stats);
      if (entry.expected.size === 0) entry.done();
      return;
    }
    if (!typed<Ask>(message, ASK)) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer } satisfies Answer);
    };
    if (message.what === 'stats') {
      void sharedStats().then((stats) => reply({ stats }));
      return;
    }
    try {
      aggregator ??= new (promClientModule().AggregatorRegistry)();
    } catch (error) {
      reply({ error: (error as Error).message });
      return;
    }
    const registry = aggregator;
    metricsUnderWay ??= registry.clusterMetrics().finally(() => (metricsUnderWay = undefined));
    metricsUnderWay.then(
      (text: string) => reply({ text }),
      (error: unknown) => reply({ error: (error as Error).message }),
    );
  });
}

function sumStats(replies: readonly StreamStats[], unanswered: number): GroupStats {
  const byTransport: Record<string, number> = {};
  let streams = 0;
  for (const reply of replies) {
    streams += reply.streams;
    for (const [transport, count] of Object.entries(reply.byTransport)) byTransport[transport] = (byTransport[transport] ?? 0) + count;
  }
  return { streams, byTransport: byTransport as StreamStats['byTransport'], workers: replies.length, unanswered };
}
