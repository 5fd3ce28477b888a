/**
 * Browser-side access to the transport lab (lab.ts): its server, its
 * buffering and cutting proxies, and their per-key behaviour.
 */
import type { CometEvent } from '../../../src/protocol/messages.js';
import { getTestServer } from '../env.js';
import type { LabInfo } from './lab.js';

export interface LabClient extends LabInfo {
  /** Base URL through the buffering proxy, for this test's key. */
  bufferedUrl(key: string): string;
  /** Base URL through the cutting proxy, for this test's key. */
  cutUrl(key: string): string;
  setBuffering(key: string, mode: 'buffer' | 'pass', bytes?: number): Promise<void>;
  setCutting(key: string, minMs: number, maxMs: number): Promise<void>;
  cuts(key: string): Promise<number>;
  publishMany(events: ReadonlyArray<{ channel: string; data: unknown; type?: string }>): Promise<CometEvent[]>;
  /** The lab server's base URL on an origin where it is down for `ms`, then up: a server started after the page. */
  lateServer(ms: number): Promise<string>;
  /** A page on `origin` (the lab's own, or another name for it) that posts `data` to its parent. */
  posterUrl(origin: string, data: unknown): string;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { cache: 'no-store', ...init });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`lab ${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

let info: Promise<LabInfo> | undefined;

export async function getLab(): Promise<LabClient> {
  info ??= call<LabInfo>(`${getTestServer().url}/control/lab`);
  const lab = await info;
  return {
    ...lab,
    bufferedUrl: (key) => `${lab.buffering}/${key}/comet`,
    cutUrl: (key) => `${lab.cutting}/${key}/comet`,
    setBuffering: async (key, mode, bytes) => {
      await call(`${lab.url}/control/buffering?key=${key}&mode=${mode}${bytes ? `&bytes=${bytes}` : ''}`, { method: 'POST' });
    },
    setCutting: async (key, minMs, maxMs) => {
      await call(`${lab.url}/control/cutting?key=${key}&minMs=${minMs}&maxMs=${maxMs}`, { method: 'POST' });
    },
    cuts: async (key) => (await call<{ cuts: number }>(`${lab.url}/control/cuts?key=${key}`)).cuts,
    publishMany: (events) =>
      call<CometEvent[]>(`${lab.url}/control/publish`, { method: 'POST', body: JSON.stringify(events), headers: { 'Content-Type': 'application/json' } }),
    lateServer: async (ms) => (await call<{ comet: string }>(`${lab.url}/control/late-door?ms=${ms}`, { method: 'POST' })).comet,
    posterUrl: (origin, data) => `${origin}/poster?data=${encodeURIComponent(JSON.stringify(data))}`,
  };
}

/** A key for the proxies that no other test uses. */
export function proxyKey(prefix = 'k'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
