import type { Registry } from 'prom-client';
import type { StreamStats } from '../stream/connections.js';
import { promClientModule } from './prom-client-module.js';

/** What the server reports as it works; every method is cheap (a counter add). */
export interface MetricsSink {
  /** Events accepted by this process (POST /publish, publish()). */
  published(count: number): void;
  /** An event written to this process's streams, `publishedAt` being its server time of publication. */
  fannedOut(publishedAt: number): void;
  /** A stream that started from a cursor (Last-Event-ID or the cursor parameter). */
  resumed(): void;
  /** Gap frames written: events a stream can no longer be given. */
  gaps(count: number): void;
  /** A request refused with this error code (4xx and 5xx alike). */
  refused(code: string): void;
  /** One Redis command of the event store, from sending it to its answer. */
  redisRoundTrip(ms: number): void;
}

/** Seconds: a fan-out is a few ms on an idle process and seconds under a storm. */
const FANOUT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a loopback Redis answers in a fraction of a ms; past commandTimeoutMs (1 s) the gate has given up. */
const REDIS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];

/**
 * The Prometheus metrics of one server, in a registry of its own (not
 * prom-client's global one, so two servers in one process do not mix, and an
 * application's own metrics are not exposed by cometkit). Every metric sums
 * across `--workers` (prom-client's cluster aggregation sums by default).
 */
export class CometMetrics implements MetricsSink {
  readonly registry: Registry;
  readonly #publishes;
  readonly #fanout;
  readonly #resumes;
  readonly #gaps;
  readonly #refusals;
  readonly #redis;

  constructor(stats: () => StreamStats) {
    const prom = promClientModule();
    const registry = new prom.Registry();
    this.registry = registry;
    new prom.Gauge({
      name: 'cometkit_streams',
      help: 'Open streams (held polls included) by transport.',
      labelNames: ['transport'],
      registers: [registry],
      collect() {
        const { byTransport } = stats();
        for (const [transport, count] of Object.entries(byTransport)) this.set({ transport }, count);
      },
    });
    this.#publishes = new prom.Counter({ name: 'cometkit_publishes_total', help: 'Events accepted for publishing (POST /publish and publish()).', registers: [registry] });
    this.#fanout = new prom.Histogram({
      name: 'cometkit_fanout_seconds',
      help: 'From an event being published to its being written to this process\'s streams.',
      buckets: FANOUT_BUCKETS,
      registers: [registry],
    });
    this.#resumes = new prom.Counter({ name: 'cometkit_resumes_total', help: 'Streams started from a cursor (a reconnect that resumes).', registers: [registry] });
    this.#gaps = new prom.Counter({ name: 'cometkit_gaps_total', help: 'Gap frames written: events a stream asked for that history no longer holds.', registers: [registry] });
    this.#refusals = new prom.Counter({ name: 'cometkit_refusals_total', help: 'Requests refused, by error code.', labelNames: ['code'], registers: [registry] });
    this.#redis = new prom.Histogram({
      name: 'cometkit_redis_round_trip_seconds',
      help: 'Commands of the event store on Redis, from sending to the answer (none on the memory broker).',
      buckets: REDIS_BUCKETS,
      registers: [registry],
    });
  }

  published(count: number): void {
    this.#publishes.inc(count);
  }

  fannedOut(publishedAt: number): void {
    this.#fanout.observe(Math.max(0, Date.now() - publishedAt) / 1000);
  }

  resumed(): void {
    this.#resumes.inc();
  }

  gaps(count: number): void {
    if (count > 0) this.#gaps.inc(count);
  }

  refused(code: string): void {
    this.#refusals.inc({ code });
  }

  redisRoundTrip(ms: number): void {
    this.#redis.observe(ms / 1000);
  }

  /** The Prometheus text of this process alone. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
