import type { TransportName } from '../../src/protocol/transport-name.js';

export interface OpenStream {
  readonly transport: TransportName;
  readonly channels: readonly string[];
  readonly user: string | undefined;
  /** Ends the response; the client resumes from its cursor. */
  close(): void;
}

export interface StreamStats {
  readonly streams: number;
  readonly byTransport: Record<TransportName, number>;
}

/** Every response held open by this server, for stats, targeted disconnects and shutdown. */
export class ConnectionRegistry {
  readonly #streams = new Set<OpenStream>();

  add(stream: OpenStream): () => void {
    this.#streams.add(stream);
    return () => this.#streams.delete(stream);
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
