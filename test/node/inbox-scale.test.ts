/**
 * The inbox's preferences, actions, groups and snoozes on two server
 * processes on one Redis, each device a reader of the user's channel, all
 * real and on loopback; the action webhook is a receiver on loopback too.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectRedis } from '../../server/redis/redis-connection.js';
import type { InboxAddedData, InboxItem, InboxPreferencesAnswer, InboxUpdatedData } from '../../src/protocol/inbox-protocol.js';
import { until } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { follow, type Follower } from '../support/scale/follower.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { startServerProcess, type ServerProcess } from '../support/scale/server-process.js';

const { skip } = scaleOutBinaries(['redis-server']);
const publishKey = randomBytes(12).toString('base64url');
const secret = randomBytes(24).toString('base64url');

interface Delivery {
  readonly body: string;
  readonly signature: string;
  readonly delivery: string;
}

/** The application's end of the webhook: checks each signature, answers when the test lets it. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; valid: () => boolean[]; release: () => void; close: () => Promise<void> }> {
  const deliveries: Delivery[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks).toString(), signature: String(req.headers['comet-signature']), delivery: String(req.headers['comet-delivery']) });
      void released.then(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ label: 'Approved by you' }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const valid = (): boolean[] =>
    deliveries.map(({ body, signature }) => {
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
      if (!match) return false;
      const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
      return Math.abs(Date.now() / 1000 - Number(match[1])) < 300 && timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
    });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/inbox`,
    deliveries,
    valid,
    release,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('inbox features on two processes on one Redis', { skip }, () => {
  let redis: TestRedis;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    redis = await startRedis();
    receiver = await startReceiver();
    const env = { COMET_INBOX_CRITICAL: 'security', COMET_INBOX_WEBHOOK_URL: receiver.url, COMET_INBOX_WEBHOOK_SECRET: secret, COMET_INBOX_SNOOZE_POLL_MS: '200' };
    [a, b] = await Promise.all([startServerProcess({ redisUrl: redis.url, publishKey, env }), startServerProcess({ redisUrl: redis.url, publishKey, env })]);
  });
  after(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await receiver?.close();
    await redis?.close();
  });

  const newUser = () => `ada-${randomBytes(4).toString('hex')}`;
  async function call<T>(origin: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${origin}/comet${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      headers: { 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
  const notify = async (origin: string, user: string, notification: Record<string, unknown>) => {
    const res = await call<InboxItem | { muted: true }>(origin, '/inbox/notify', { body: { user, ...notification }, headers: { Authorization: `Bearer ${publishKey}` } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  /** A device of the user: a reader of the user's channel on either process. */
  const device = async (user: string, origins: readonly string[]): Promise<Follower> => {
    const { body } = await call<{ channel: string }>(origins[0]!, `/inbox/counts?user=${user}`);
    const reader = follow(origins, [body.channel]);
    await until(() => reader.connections === 1, 10_000, 'the device to be reading');
    return reader;
  };
  const marker = async (reader: Follower, origin: string, user: string) => {
    const title = `marker-${randomBytes(3).toString('hex')}`;
    await notify(origin, user, { type: 'marker', data: { title } });
    await until(() => reader.events.some((event) => (event.data as InboxAddedData).item?.data instanceof Object && ((event.data as InboxAddedData).item.data as { title?: string }).title === title), 10_000, 'the marker');
  };

  it('keeps a muted category from the muted channel, a critical one on every channel, and tells the other device of each change live', async () => {
    const user = newUser();
    const phone = await device(user, [b.origin]);
    try {
      const put = (origin: string, body: unknown) => call<InboxPreferencesAnswer>(origin, `/inbox/preferences?user=${user}`, { method: 'PUT', body });
      assert.equal((await put(a.origin, { categories: { marketing: { inbox: false }, comments: { toast: false } } })).status, 200);
      const refused = await put(a.origin, { categories: { security: { toast: false } } });
      assert.deepEqual([refused.status, (refused.body as unknown as { error: { code: string } }).error.code], [400, 'critical-category']);
      assert.deepEqual(await notify(b.origin, user, { type: 'promo', category: 'marketing', data: { title: 'Sale' } }), { muted: true, category: 'marketing' });
      const comment = (await notify(b.origin, user, { type: 'comments', data: { title: 'Ada replied' } })) as InboxItem;
      assert.deepEqual([comment.category, comment.toast], ['comments', false]);
      assert.equal((await put(b.origin, { enabled: false })).status, 200);
      assert.deepEqual(await notify(a.origin, user, { type: 'comments', data: { title: 'muted now' } }), { muted: true, category: 'comments' });
      const alert = (await notify(a.origin, user, { type: 'login', category: 'security', data: { title: 'New sign-in' } })) as InboxItem;
      assert.deepEqual([alert.category, alert.toast], ['security', true]);
      await put(a.origin, { enabled: true });
      await marker(phone, a.origin, user);
      const seen = phone.events.map((event) => [event.type, event.type === 'inbox.added' ? (event.data as InboxAddedData).item.category : (event.data as InboxPreferencesAnswer).preferences.enabled]);
      assert.deepEqual(seen, [
        ['inbox.preferences', true],
        ['inbox.added', 'comments'],
        ['inbox.preferences', false],
        ['inbox.added', 'security'],
        ['inbox.preferences', true],
        ['inbox.added', 'marker'],
      ]);
      const { body } = await call<InboxPreferencesAnswer>(b.origin, `/inbox/preferences?user=${user}`);
      assert.deepEqual(body.preferences, { enabled: true, categories: { marketing: { inbox: false, toast: true, push: true }, comments: { inbox: true, toast: false, push: true } } });
      assert.deepEqual(body.critical, ['security']);
      assert.deepEqual(phone.gaps, []);
    } finally {
      await phone.stop();
    }
  });

  it('runs an action clicked on two devices at once exactly once, through the signed webhook, and changes the item on both', async () => {
    const user = newUser();
    const [laptop, phone] = [await device(user, [a.origin]), await device(user, [b.origin])];
    try {
      const item = (await notify(a.origin, user, { type: 'review', data: { title: 'Merge #12?' }, actions: [{ id: 'approve', label: 'Approve', kind: 'primary' }, { id: 'open', label: 'Open', kind: 'secondary', url: 'https://example.com/12' }] })) as InboxItem;
      const click = (origin: string, key: string) => call<{ status: string; item?: InboxItem }>(origin, `/inbox/action?user=${user}`, { body: { id: item.id, action: 'approve' }, headers: { 'Idempotency-Key': key } });
      const answers: Array<{ status: number; body: { status: string; item?: InboxItem } }> = [];
      const both = [click(a.origin, 'laptop-click-1'), click(b.origin, 'phone-click-1')].map((request) => request.then((answer) => answers.push(answer)));
      await until(() => receiver.deliveries.length === 1 && answers.length === 1, 10_000, 'one delivery, and the other click answered pending');
      assert.deepEqual([answers[0]!.status, answers[0]!.body.status], [202, 'pending']);
      receiver.release();
      await Promise.all(both);
      // The claimer answers done unless the webhook outlasted its 5 s wait (a loaded machine): then pending, and the item comes live.
      const claimer = answers[1]!;
      if (claimer.status === 200) assert.deepEqual([claimer.body.item?.result?.label, claimer.body.item?.actions], ['Approved by you', undefined]);
      else assert.deepEqual([claimer.status, claimer.body.status], [202, 'pending']);
      for (const reader of [laptop, phone]) {
        await until(() => reader.events.some((event) => event.type === 'inbox.updated'), 10_000, 'the item changed on both devices');
        const updated = reader.events.find((event) => event.type === 'inbox.updated')!.data as InboxUpdatedData;
        assert.deepEqual([updated.item.id, updated.item.result?.action, updated.item.result?.label, updated.item.actions], [item.id, 'approve', 'Approved by you', undefined]);
      }
      // A retry of the phone's click, after the fact: the result, not a second run.
      const retry = await click(b.origin, 'phone-click-1');
      assert.deepEqual([retry.status, retry.body.item?.result?.label], [200, 'Approved by you']);
      await marker(phone, b.origin, user);
      assert.equal(receiver.deliveries.length, 1, 'the webhook received the action once');
      assert.deepEqual(receiver.valid(), [true], 'its signature is valid');
      const delivered = JSON.parse(receiver.deliveries[0]!.body) as { type: string; user: string; id: number; action: string };
      assert.deepEqual([delivered.type, delivered.user, delivered.id, delivered.action], ['inbox.action', user, item.id, 'approve']);
      assert.ok(['laptop-click-1', 'phone-click-1'].includes(receiver.deliveries[0]!.delivery));
      assert.equal(phone.events.filter((event) => event.type === 'inbox.updated').length, 1);
    } finally {
      await Promise.all([laptop.stop(), phone.stop()]);
    }
  });

  it('collapses ten notifications of one group, from both processes, into one item counted once', async () => {
    const user = newUser();
    const phone = await device(user, [b.origin]);
    try {
      const actors = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal', 'Ida', 'Jo'];
      for (const [n, actor] of actors.entries()) await notify(n % 2 ? a.origin : b.origin, user, { type: 'reply', group: 'thread:7', actor, data: { title: `${actor} replied` } });
      const { body } = await call<{ items: InboxItem[]; counts: unknown }>(a.origin, `/inbox?user=${user}`);
      assert.deepEqual(body.items.map((item) => [item.group, (item.data as { title: string }).title]), [[{ key: 'thread:7', count: 10, actors: ['Jo', 'Ida', 'Hal'] }, 'Jo replied']]);
      assert.deepEqual(body.counts, { total: 1, unseen: 1, unread: 1 });
      await until(() => phone.events.length === 10, 10_000, 'ten inbox.added on the phone');
      const added = phone.events.map((event) => event.data as InboxAddedData);
      assert.deepEqual(added.map((data) => data.replaces), [undefined, ...added.slice(0, 9).map((data) => data.item.id)], 'each replaces the one before');
      assert.deepEqual(added.map((data) => data.counts.unread), Array(10).fill(1));
    } finally {
      await phone.stop();
    }
  });

  it('hides a snoozed item on both devices and brings it back unread at its time, also when every process was killed and one restarted', async () => {
    const user = newUser();
    const [laptop, phone] = [await device(user, [a.origin, b.origin]), await device(user, [b.origin, a.origin])];
    try {
      const items: InboxItem[] = [];
      for (const n of [1, 2]) items.push((await notify(a.origin, user, { type: 'note', data: { title: `n${n}` } })) as InboxItem);
      await call(a.origin, `/inbox/state?user=${user}`, { body: { ids: [items[0]!.id, items[1]!.id], read: true } });
      const soon = await call<{ snoozed: number }>(b.origin, `/inbox/snooze?user=${user}`, { body: { ids: [items[0]!.id], until: Date.now() + 300 } });
      const later = await call<{ snoozed: number; counts: unknown }>(a.origin, `/inbox/snooze?user=${user}`, { body: { ids: [items[1]!.id], until: Date.now() + 12_000 } });
      assert.deepEqual([soon.body.snoozed, later.body.snoozed], [1, 1]);
      assert.deepEqual(later.body.counts, { total: 0, unseen: 0, unread: 0 });
      const backOn = (reader: Follower, id: number) => reader.events.find((event) => event.type === 'inbox.added' && (event.data as InboxAddedData).replaces === id);
      for (const reader of [laptop, phone]) await until(() => backOn(reader, items[0]!.id) !== undefined, 10_000, 'the first snooze back on both devices');
      const first = (backOn(phone, items[0]!.id)!.data as InboxAddedData).item;
      assert.deepEqual([first.read, first.seen, first.id > items[1]!.id], [false, false, true]);

      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
      const direct = connectRedis({ url: redis.url, commandTimeoutMs: 2000, maxPendingCommands: 100, role: 'test' });
      await direct.ready;
      const stillSnoozed = await direct.client.sendCommand(['ZSCORE', `comet:inbox:{${encodeURIComponent(user)}}:snoozed`, String(items[1]!.id)]);
      await direct.client.close();
      assert.notEqual(stillSnoozed, null, 'the second snooze was still waiting when every process was gone');
      await a.start();
      for (const reader of [laptop, phone]) await until(() => backOn(reader, items[1]!.id) !== undefined, 45_000, 'the second snooze back on both devices after the restart');
      const { body } = await call<{ items: InboxItem[]; counts: unknown }>(a.origin, `/inbox?user=${user}`);
      assert.deepEqual(body.items.map((item) => [item.read, (item.data as { title: string }).title]), [[false, 'n2'], [false, 'n1']]);
      assert.deepEqual(body.counts, { total: 2, unseen: 2, unread: 2 });
      assert.equal(laptop.events.filter((event) => event.type === 'inbox.added' && (event.data as InboxAddedData).replaces !== undefined).length, 2, 'each snooze came back once');
      assert.deepEqual([laptop.events.filter((event) => event.type === 'inbox.snoozed').length, phone.gaps], [2, []]);
    } finally {
      await Promise.all([laptop.stop(), phone.stop()]);
      if (!b.running) await b.start();
    }
  });
});
