import type { TransportName } from '../../src/protocol/transport-name.js';
import { HttpStatusError } from '../http/http-error.js';

export interface OpenStream {
  readonly transport: TransportName;
  readonly channels: readonly string[];
  readonly user: string | undefined;
  /** The address (or what `clientAddress` named) the request came from. */
  readonly client: string | undefined;
  /** Ends the response; the client resumes from its cursor. */
  close(): void;
  /** Ends the response with the transport's reconnect frame: the client resumes from its cursor after `afterMs`. */
  reconnect(afterMs: number): void;
}

export interface StreamStats {
  readonly streams: number;
  readonly byTransport: Record<TransportName, number>;
}

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxStreamsPerUser: number;
  readonly maxStreamsPerClient: number;
}

/** Seconds a refused client is asked to wait: long enough for others to finish, short enough to recover soon. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Every response held open by this server (streams and held polls), for
 * stats, targeted disconnects, shutdown, and the limits that keep one
 * client, one user or a flood from holding every socket.
 */
export class ConnectionRegistry {
  readonly #streams = new Set<OpenStream>();
  readonly #perUser = new Map<string, number>();
  readonly #perClient = new Map<string, number>();
  readonly #limits: ConnectionLimits;
  readonly #random: () => number;
  /** While draining, the window each stream's return is drawn from (ms). */
  #drainWindowMs: number | undefined;
  #drained: Array<() => void> = [];

  constructor(limits: ConnectionLimits = { maxConnections: Infinity, maxStreamsPerUser: Infinity, maxStreamsPerClient: Infinity }, random: () => number = Math.random) {
    this.#limits = limits;
    this.#random = random;
  }

  /** True once `drain()` was called: a stream that starts now is told to come back at once after its hello. */
  get draining(): boolean {
    return this.#drainWindowMs !== undefined;
  }

  /**
   * When a stream of a draining server comes back (ms), uniform over the
   * window: a process's clients then reach the others at a steady rate
   * (N / window) instead of all in the instant it goes.
   */
  reconnectDelay(): number {
    return Math.floor(this.#random() * (this.#drainWindowMs ?? 0));
  }

  /**
   * Tells every open stream and held poll to come back after a delay drawn
   * over `windowMs` (each ends with its transport's reconnect frame), and
   * every one that starts from now on right after its hello. Resolves once
   * none is open. Calling it again changes nothing but the promise.
   */
  drain(windowMs: number): Promise<void> {
    this.#drainWindowMs ??= windowMs;
    for (const stream of [...this.#streams]) stream.reconnect(this.reconnectDelay());
    return this.#whenEmpty();
  }

  #whenEmpty(): Promise<void> {
    if (this.#streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Tracks a stream, or throws the refusal (`503 server-busy`, `429 too-many-streams`) when a limit is reached; `remove()` lets it go. */
  add(stream: OpenStream): void {
    const limits = this.#limits;
    const retry = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
    if (this.#streams.size >= limits.maxConnections) {
      throw new HttpStatusError(503, 'server-busy', `The server holds its limit of ${limits.maxConnections} open streams (maxConnections); retry shortly.`, retry);
    }
    if (stream.user !== undefined && (this.#perUser.get(stream.user) ?? 0) >= limits.maxStreamsPerUser) {
      throw new HttpStatusError(429, 'too-many-streams', `This user already holds ${limits.maxStreamsPerUser} open streams (maxStreamsPerUser); close some, or share one connection between tabs.`, retry);
    }
    if (stream.client !== undefined && (this.#perClient.get(stream.client) ?? 0) >= limits.maxStreamsPerClient) {
      throw new HttpStatusError(429, 'too-many-streams', `This address already holds ${limits.maxStreamsPerClient} open streams (maxStreamsPerClient).`, retry);
    }
    this.#streams.add(stream);
    bump(this.#perUser, stream.user, 1);
    bump(this.#perClient, stream.client, 1);
  }

  /** Stops tracking a stream; removing one twice, or one never added, changes nothing. */
  remove(stream: OpenStream): void {
    if (!this.#streams.delete(stream)) return;
    bump(this.#perUser, stream.user, -1);
    bump(this.#perClient, stream.client, -1);
    if (this.#streams.size === 0 && this.#drained.length > 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  stats(): StreamStats {
    const byTransport: Record<TransportName, number> = { sse: 0, iframe: 0, 'long-poll': 0 };
    for (const stream of this.#streams) byTransport[stream.transport] += 1;
    return { streams: this.#streams.size, byTransport };
  }

  /** Closes the streams that carry `channel` (all of them without one); returns how many. */
  disconnect(filter: { channel?: string } = {}): number {
    let count = 0;
    for (const stream of [...this.#streams]) {
      if (filter.channel !== undefined && !stream.channels.includes(filter.channel)) continue;
      stream.close();
      count += 1;
    }
    return count;
  }
}

/** Counts per key, deleting a key at zero so the maps hold only who is connected. */
function bump(counts: Map<string, number>, key: string | undefined, by: number): void {
  if (key === undefined) return;
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
