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

  constructor(limits: ConnectionLimits = { maxConnections: Infinity, maxStreamsPerUser: Infinity, maxStreamsPerClient: Infinity }) {
    this.#limits = limits;
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
