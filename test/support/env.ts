/**
 * Browser-side access to the test harness (test/support/harness.ts): the
 * real reference server started by the test runner config, whose URL the
 * config writes into every test page as `window.__COMET_TEST__`.
 *
 *   const server = getTestServer();
 *   const channel = uniqueChannel();
 *   const source = new EventSource(`${server.comet}/sse?ch=${channel}`);
 *   await server.publish(channel, { hello: 1 });
 */
import type { CometEvent } from '../../src/protocol/messages.js';
import type { StreamStats } from '../../server/stream/connections.js';
import type { InboxItem } from '../../src/protocol/inbox-protocol.js';
// Type-only: erased from the browser bundle, so the Node harness is never loaded in the page.
import type { HarnessInfo } from './harness.js';

export type { HarnessInfo };

declare global {
  interface Window {
    __COMET_TEST__?: { readonly url: string };
  }
}

export interface PublishRequest {
  readonly channel: string;
  readonly data: unknown;
  readonly type?: string;
}

export interface TokenRequest {
  /** User id; default "test-user". */
  readonly sub?: string;
  /** Channel patterns the token allows (`p.room1`, `p.*`). */
  readonly channels?: readonly string[];
  /** Channel patterns the token may send to (`t.chat.*`). */
  readonly publish?: readonly string[];
  readonly name?: string;
  /** Seconds from now until expiry; negative for an already expired token; absent for none. */
  readonly exp?: number;
}

export interface TestServer {
  /** Harness origin, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** cometkit base URL (`url + '/comet'`): what a client is configured with. */
  readonly comet: string;
  /** Publishes through the server API (no key needed); resolves once the event is in history. */
  publish(channel: string, data: unknown, type?: string): Promise<CometEvent>;
  /** Publishes several events in order. */
  publishMany(events: readonly PublishRequest[]): Promise<CometEvent[]>;
  /** Ends the open streams carrying `channel` (all without one), as a server restart or proxy cut would; resolves to how many. */
  disconnect(channel?: string): Promise<number>;
  /** Cuts `channel`'s streams and answers 503 to new ones for `ms`, as a server that is down would. */
  outage(channel: string, ms: number): Promise<number>;
  /** A token signed with the harness secret. Channels `t.*` are public; anything else needs one. */
  token(request?: TokenRequest): Promise<string>;
  stats(): Promise<StreamStats>;
  /** Adds `count` notifications (default 1) to `user`'s inbox, `data` getting `n: 1…count` when counting; resolves to the items. */
  /** `options` beyond `count` are the notification's fields (type, category, actions, group…). */
  notify(user: string, data: unknown, options?: { type?: string; count?: number } & Record<string, unknown>): Promise<InboxItem[]>;
  /** Refuses `user`'s inbox changes with 503 for `ms`, as an inbox store that is down would. */
  inboxOutage(user: string, ms: number): Promise<void>;
  /** The next send with this idempotency key is stored, but its answer is lost (the connection drops). */
  loseAnswer(key: string): Promise<void>;
  /** Open streams (SSE, iframe) carrying a channel that starts with `prefix`: a test's own streams, whatever else runs. */
  streams(prefix: string): Promise<number>;
  /** Stream requests (SSE, iframe) carrying a channel that starts with `prefix` opened so far, closed or not. */
  streamsOpened(prefix: string): Promise<number>;
  info(): Promise<HarnessInfo>;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { cache: 'no-store', ...init });
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`harness ${init?.method ?? 'GET'} ${url}: ${res.status} ${body.error?.code}: ${body.error?.message}`);
  return body;
}

const post = <T>(url: string, body?: unknown): Promise<T> =>
  call<T>(url, {
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });

export function getTestServer(): TestServer {
  const config = window.__COMET_TEST__;
  if (!config?.url) {
    throw new Error('No test server: window.__COMET_TEST__ is unset. Run browser tests with `npm run test:browser`.');
  }
  const { url } = config;
  return {
    url,
    comet: `${url}/comet`,
    publish: (channel, data, type) => post<CometEvent>(`${url}/control/publish`, { channel, data, ...(type ? { type } : {}) }),
    publishMany: (events) => post<CometEvent[]>(`${url}/control/publish`, events),
    disconnect: async (channel) =>
      (await post<{ closed: number }>(`${url}/control/disconnect${channel ? `?ch=${encodeURIComponent(channel)}` : ''}`)).closed,
    outage: async (channel, ms) =>
      (await post<{ closed: number }>(`${url}/control/outage?ch=${encodeURIComponent(channel)}&ms=${ms}`)).closed,
    token: async (request = {}) => {
      const query = new URLSearchParams();
      if (request.sub) query.set('sub', request.sub);
      if (request.channels) query.set('channels', request.channels.join(','));
      if (request.publish) query.set('publish', request.publish.join(','));
      if (request.name) query.set('name', request.name);
      if (request.exp !== undefined) query.set('exp', String(request.exp));
      return (await call<{ token: string }>(`${url}/control/token?${query}`)).token;
    },
    stats: () => call<StreamStats>(`${url}/control/stats`),
    notify: (user, data, options = {}) => post<InboxItem[]>(`${url}/control/notify`, { user, data, ...options }),
    inboxOutage: async (user, ms) => {
      await post(`${url}/control/inbox-outage?user=${encodeURIComponent(user)}&ms=${ms}`);
    },
    loseAnswer: async (key) => {
      await post(`${url}/control/lose-answer?key=${encodeURIComponent(key)}`);
    },
    streams: async (prefix) => (await call<{ streams: number }>(`${url}/control/streams?prefix=${encodeURIComponent(prefix)}`)).streams,
    streamsOpened: async (prefix) => (await call<{ opened: number }>(`${url}/control/streams?prefix=${encodeURIComponent(prefix)}`)).opened,
    info: () => call<HarnessInfo>(`${url}/control/info`),
  };
}

let counter = 0;
/** A public channel (`t.` prefix) no other test uses, even across parallel pages and browsers. */
export function uniqueChannel(prefix = 't'): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 10);
  return `${prefix}.${random}.${counter}`;
}

/** Resolves once `condition()` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
