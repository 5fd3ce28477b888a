/**
 * The inbox's live paths on two reference-server processes on one Redis,
 * a device of the user reading its inbox channel on each process (SSE from
 * Node): a notification added through A reaching the device on B (the
 * baseline: what every other row adds to), a preference change made on A
 * reaching B, an action run through A (signed webhook on loopback,
 * answering at once) until both devices show the result, and how late a
 * snooze comes back on B — set on A, so B finds it by its poll (1 s) and A
 * by its timer; the one that takes it first sends it.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InboxAddedData, InboxItem } from '../src/protocol/inbox-protocol.js';
import type { CometEvent } from '../src/protocol/messages.js';
import { follow, type Follower } from '../test/support/scale/follower.js';
import { startRedis } from '../test/support/scale/redis-server.js';
import { startServerProcess } from '../test/support/scale/server-process.js';
import { printTable, summary } from './support/stats.js';

const ROUNDS = 100;
const SNOOZES = 20;

export default async function inboxBench(): Promise<void> {
  const publishKey = randomBytes(12).toString('base64url');
  const hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"label":"Done"}'));
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const redis = await startRedis();
  const env = {
    COMET_INBOX_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
    COMET_INBOX_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
  };
  const [a, b] = await Promise.all([startServerProcess({ redisUrl: redis.url, publishKey, env }), startServerProcess({ redisUrl: redis.url, publishKey, env })]);
  const readers: Follower[] = [];
  try {
    const user = `bench-${randomBytes(4).toString('hex')}`;
    const call = async <T>(origin: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> => {
      const res = await fetch(`${origin}/comet${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        headers: { 'Content-Type': 'application/json', ...init.headers },
      });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const notify = (notification: Record<string, unknown>) => call<InboxItem>(a.origin, '/inbox/notify', { body: { user, ...notification }, headers: { Authorization: `Bearer ${publishKey}` } });
    const { channel } = await call<{ channel: string }>(a.origin, `/inbox/counts?user=${user}`);
    const onA = follow([a.origin], [channel]);
    const onB = follow([b.origin], [channel]);
    readers.push(onA, onB);
    while (onA.connections < 1 || onB.connections < 1) await sleep(5);
    /** Resolves when `reader` holds an event `match` accepts, with the time then. */
    const arrival = async (reader: Follower, match: (event: CometEvent) => boolean): Promise<number> => {
      for (;;) {
        if (reader.events.some(match)) return performance.now();
        await sleep(1);
      }
    };

    const added: number[] = [];
    const preferences: number[] = [];
    const actions: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      let start = performance.now();
      const item = await notify({ type: 'bench', data: { title: `n${i}` }, actions: [{ id: 'ok', label: 'OK', kind: 'primary' }] });
      added.push((await arrival(onB, (event) => event.type === 'inbox.added' && (event.data as InboxAddedData).item.id === item.id)) - start);

      start = performance.now();
      const seen = onB.events.length;
      await call(a.origin, `/inbox/preferences?user=${user}`, { method: 'PUT', body: { categories: { bench: { toast: i % 2 === 0 } } } });
      preferences.push((await arrival(onB, (event) => event.type === 'inbox.preferences' && onB.events.indexOf(event) >= seen)) - start);

      start = performance.now();
      await call(a.origin, `/inbox/action?user=${user}`, { body: { id: item.id, action: 'ok' }, headers: { 'Idempotency-Key': `bench-action-${i}-${user}` } });
      const updated = (event: CometEvent) => event.type === 'inbox.updated' && (event.data as { item: InboxItem }).item.id === item.id;
      const [onAAt, onBAt] = await Promise.all([arrival(onA, updated), arrival(onB, updated)]);
      actions.push(Math.max(onAAt, onBAt) - start);
      // Two changes a round: paced under the per-user limit (20 a second), which is not what is measured.
      await sleep(110);
    }

    const late: number[] = [];
    for (let i = 0; i < SNOOZES; i += 1) {
      const item = await notify({ type: 'bench', data: { title: `s${i}` } });
      const until = Date.now() + 300;
      await call(a.origin, `/inbox/snooze?user=${user}`, { body: { ids: [item.id], until } });
      await arrival(onB, (event) => event.type === 'inbox.added' && (event.data as InboxAddedData).replaces === item.id);
      late.push(Date.now() - until);
    }

    const row = (what: string, samples: number[]) => ({ what, ...summary(samples) });
    printTable('Inbox on two processes on one Redis (ms)', [
      row('notify on A → inbox.added on B (baseline)', added),
      row('PUT preferences on A → inbox.preferences on B', preferences),
      row('action on A (webhook) → inbox.updated on A and B', actions),
      row('snooze set on A → back on B, after its time', late),
    ]);
  } finally {
    await Promise.all(readers.map((reader) => reader.stop()));
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    await redis.close();
    hook.closeAllConnections();
    hook.close();
  }
}
