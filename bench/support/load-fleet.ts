/**
 * The load generator: N subscribers of one channel spread over several
 * client processes (bench/support/load-clients.ts), each under the
 * open-file limit, with source addresses spread over 127.0.0.0/8 (each
 * subscriber's index picks its address, `perAddress` to an address, so the
 * indices of all processes together never share a port range).
 *
 * `open` splits SSE streams and long-polls evenly over the processes and
 * opens them in parallel; `arm` / `collect` record one round of marked
 * events on every subscriber and merge the processes' latency histograms.
 */
import { startChild, type Child } from './child.js';

export const LOAD_CHANNEL = 'bench';
/** Sockets one client process holds at most: under the 20,000 open files, with room for its own. */
export const MAX_PER_PROCESS = 15_000;

export interface FleetOpen {
  readonly port: number;
  readonly sse: number;
  readonly longPoll?: number;
  /** Subscribers per source address (default 1,000; each address has ~28,000 ports). */
  readonly perAddress?: number;
  /** Opens in flight per process. */
  readonly concurrency?: number;
}

export interface Opened {
  readonly opened: number;
  readonly failed: number;
  readonly retries: number;
  /** Until the last process had every one of its subscribers open. */
  readonly ms: number;
  /** Distinct source addresses used. */
  readonly addresses: number;
}

export interface Round {
  /** Latency (ms from the send to the arrival) → how many arrivals. */
  readonly histogram: Map<number, number>;
  readonly missing: number;
  readonly doubled: number;
  readonly arrivals: number;
}

export interface Fleet {
  readonly processes: number;
  readonly pids: readonly number[];
  open(options: FleetOpen): Promise<Opened>;
  arm(first: number, count: number): Promise<void>;
  /** Waits until every subscriber read every armed mark or `timeoutMs` passed; `sentAt[k]` is when mark first + k was sent. */
  collect(sentAt: readonly number[], timeoutMs: number): Promise<Round>;
  /** Closes every subscriber and ends the processes. */
  stop(): Promise<void>;
}

const SCRIPT = new URL('./load-clients.ts', import.meta.url);

/** Splits `total` into `parts` shares that differ by at most one. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export function startFleet(processes: number): Fleet {
  const children: Child[] = Array.from({ length: processes }, () => startChild(SCRIPT));
  return {
    processes,
    pids: children.map((child) => child.pid),
    async open(options) {
      const perAddress = options.perAddress ?? 1000;
      const longPoll = options.longPoll ?? 0;
      if (options.sse + longPoll > processes * MAX_PER_PROCESS) {
        throw new Error(`${options.sse + longPoll} subscribers need ${Math.ceil((options.sse + longPoll) / MAX_PER_PROCESS)} client processes, not ${processes}`);
      }
      const sse = shares(options.sse, processes);
      const polls = shares(longPoll, processes);
      // Index ranges per process, so every subscriber of the fleet has its own (address, port).
      let next = 0;
      const plans = children.map((child, i) => {
        const plan = { child, sseFirst: next, sse: sse[i]!, pollFirst: next + sse[i]!, polls: polls[i]! };
        next += sse[i]! + polls[i]!;
        return plan;
      });
      const started = performance.now();
      const answers = await Promise.all(
        plans.map(async ({ child, sseFirst, sse: streams, pollFirst, polls: held }) => {
          const common = { port: options.port, channel: LOAD_CHANNEL, perAddress, concurrency: options.concurrency ?? 250 };
          type Answer = { opened: number; failed: number; retries: number };
          const a = streams > 0 ? await child.ask<Answer>({ type: 'open', ...common, transport: 'sse', count: streams, firstIndex: sseFirst }, 900_000) : undefined;
          const b = held > 0 ? await child.ask<Answer>({ type: 'open', ...common, transport: 'long-poll', count: held, firstIndex: pollFirst }, 900_000) : undefined;
          // `opened` is the process's running total; failures and retries are per request.
          return { opened: (b ?? a)?.opened ?? 0, failed: (a?.failed ?? 0) + (b?.failed ?? 0), retries: (a?.retries ?? 0) + (b?.retries ?? 0) };
        }),
      );
      return {
        opened: answers.reduce((sum, a) => sum + a.opened, 0),
        failed: answers.reduce((sum, a) => sum + a.failed, 0),
        retries: answers.reduce((sum, a) => sum + a.retries, 0),
        ms: performance.now() - started,
        addresses: Math.ceil(next / perAddress),
      };
    },
    async arm(first, count) {
      await Promise.all(children.map((child) => child.ask({ type: 'arm', first, count })));
    },
    async collect(sentAt, timeoutMs) {
      const answers = await Promise.all(
        children.map((child) =>
          child.ask<{ histogram: Record<string, number>; missing: number; doubled: number }>({ type: 'collect', sentAt, timeoutMs }, timeoutMs + 120_000),
        ),
      );
      const histogram = new Map<number, number>();
      let arrivals = 0;
      for (const answer of answers) {
        for (const [ms, count] of Object.entries(answer.histogram)) {
          histogram.set(Number(ms), (histogram.get(Number(ms)) ?? 0) + count);
          arrivals += count;
        }
      }
      return {
        histogram,
        arrivals,
        missing: answers.reduce((sum, a) => sum + a.missing, 0),
        doubled: answers.reduce((sum, a) => sum + a.doubled, 0),
      };
    },
    async stop() {
      await Promise.all(children.map((child) => child.ask({ type: 'close' }, 60_000).catch(() => undefined)));
      await Promise.all(children.map((child) => child.stop()));
    },
  };
}

/** The p-th percentile (nearest rank) of a latency histogram; NaN when it is empty. */
export function histogramPercentile(histogram: ReadonlyMap<number, number>, p: number): number {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const ms of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(ms)!;
    if (seen >= rank) return ms;
  }
  return Number.NaN;
}
