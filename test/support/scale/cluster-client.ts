/**
 * Browser-side access to the harness's cluster endpoints (cluster-control.ts):
 * Redis, two server processes and nginx with TLS and HTTP/2 in front.
 */
import type { CometEvent } from '../../../src/protocol/messages.js';
import { getTestServer } from '../env.js';

export interface ClusterClient {
  /** cometkit through nginx, `https://127.0.0.1:PORT/comet`. */
  readonly url: string;
  publish(items: ReadonlyArray<{ channel: string; data: unknown }>): Promise<CometEvent[]>;
  /** Open held requests of channels starting with `prefix`, per process. */
  streams(prefix: string): Promise<number[]>;
  /** SIGKILLs the process holding the prefix's stream, restarts it, and says which it was. */
  crash(prefix: string): Promise<number>;
  /** SIGTERMs (drains) the process holding the prefix's stream, restarts it, and says which it was. */
  drain(prefix: string): Promise<number>;
  protocols(): Promise<Record<string, number>>;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${getTestServer().url}/control/cluster/${path}`, { cache: 'no-store', ...init });
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`cluster ${path}: ${res.status} ${body.error?.code}: ${body.error?.message}`);
  return body;
}

/** Starts the cluster (once per run) or resolves to the reason it cannot run here. */
export async function getCluster(): Promise<ClusterClient | { skip: string }> {
  const started = await call<{ url?: string; skip?: string }>('start', { method: 'POST' });
  if (started.skip !== undefined) return { skip: started.skip };
  return {
    url: started.url!,
    publish: (items) => call('publish', { method: 'POST', body: JSON.stringify(items), headers: { 'Content-Type': 'application/json' } }),
    streams: async (prefix) => (await call<{ streams: number[] }>(`streams?prefix=${encodeURIComponent(prefix)}`)).streams,
    crash: async (prefix) => (await call<{ crashed: number }>(`crash?prefix=${encodeURIComponent(prefix)}`, { method: 'POST' })).crashed,
    drain: async (prefix) => (await call<{ drained: number }>(`drain?prefix=${encodeURIComponent(prefix)}`, { method: 'POST' })).drained,
    protocols: async () => (await call<{ protocols: Record<string, number> }>('protocols')).protocols,
  };
}

/**
 * A numbered publisher over two channels, alternating, for the cluster's
 * resume tests: `publish(count)` sends the next `count` events
 * (`{ n }` counting from 0) and `published` holds every event sent, in order.
 */
export function alternatingPublisher(cluster: ClusterClient, channels: readonly [string, string]): { readonly published: CometEvent[]; publish(count: number): Promise<void> } {
  const published: CometEvent[] = [];
  return {
    published,
    async publish(count) {
      const from = published.length;
      published.push(...(await cluster.publish(Array.from({ length: count }, (_, i) => ({ channel: channels[(from + i) % 2]!, data: { n: from + i } })))));
    },
  };
}
