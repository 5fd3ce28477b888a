import type { StreamStats } from '../stream/connections.js';

/** Stream counts summed over the processes that answered. */
export interface GroupStats extends StreamStats {
  /** Processes whose streams are counted. */
  readonly workers: number;
  /** Processes that did not answer in time (their streams are missing from the sums). */
  readonly unanswered: number;
}

/**
 * The processes that share one port (`cometkit-server --workers N`): a
 * request reaches one of them, and `/health` and `/metrics` must still speak
 * for all. The server attaches what it knows; the group asks the others.
 */
export interface WorkerGroup {
  /**
   * Called once by the server with what this process reports when the group asks it:
   * its streams, and its prom-client Registry when metrics are on (typed loosely on
   * purpose: prom-client is an optional peer, and an app's types must not need it).
   */
  attach(local: { stats(): StreamStats; metricsRegistry: object | undefined }): void;
  stats(): Promise<GroupStats>;
  /** Prometheus text summed over every process. */
  metrics(): Promise<string>;
}
