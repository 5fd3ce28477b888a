/**
 * Several server processes on one Redis, all real and on loopback: shared
 * channels, a process killed and restarted, Redis stopped and restarted
 * under load, and `cli.ts --workers 2`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { uniqueChannel, until } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startProcess } from '../support/scale/child-process.js';
import { follow, sameIds } from '../support/scale/follower.js';
import { freePort } from '../support/scale/free-port.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { startServerProcess, type ServerProcess } from '../support/scale/server-process.js';

const { skip } = scaleOutBinaries(['redis-server']);
const publishKey = randomBytes(12).toString('base64url');

/**
 * One publish, given up after 5 s without an answer (reported as status 0): node:cluster's
 * primary can hold a connection it accepted for a worker that died meanwhile.
 */
async function publish(origin: string, channel: string, data: unknown): Promise<{ status: number; event?: CometEvent; code?: string }> {
  const res = await fetch(`${origin}/comet/publish`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${publishKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, data }),
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (!res) return { status: 0, code: 'no-answer' };
  const body = (await res.json()) as CometEvent & { error?: { code: string } };
  if (res.status === 200) return { status: 200, event: body };
  return { status: res.status, code: body.error?.code };
}

/** Publishes until acknowledged (at most 10 tries), for steps where a refusal is not what is tested. */
async function publishSurely(origin: string, channel: string, data: unknown): Promise<CometEvent> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await publish(origin, channel, data);
    if (result.event) return result.event;
    if (attempt >= 10) throw new Error(`publish refused 10 times: ${result.status} ${result.code}`);
  }
}

describe('several processes on one Redis', { skip }, () => {
  let redis: TestRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServerProcess({ redisUrl: redis.url, publishKey }), startServerProcess({ redisUrl: redis.url, publishKey })]);
  });
  after(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await redis?.close();
  });

  it('share channels: an event published on one reaches readers on both, with the same positions', async () => {
    const channel = uniqueChannel();
    const onA = follow([a.origin], [channel]);
    const onB = follow([b.origin], [channel]);
    try {
      await until(() => onA.connections === 1 && onB.connections === 1, 10_000, 'both readers');
      const published: CometEvent[] = [];
      for (let n = 0; n < 20; n += 1) published.push(await publishSurely(n % 2 ? a.origin : b.origin, channel, { n }));
      await until(() => onA.events.length === 20 && onB.events.length === 20, 10_000, 'both readers to have 20 events');
      // The publisher's answer carries no data: compare positions, and the data by its counter.
      for (const reader of [onA, onB]) {
        assert.deepEqual(sameIds(reader.events, published), { lost: 0, doubled: 0, ordered: true, extra: 0 });
        assert.deepEqual(reader.events.map((event) => (event.data as { n: number }).n), Array.from({ length: 20 }, (_, n) => n));
      }
    } finally {
      await Promise.all([onA.stop(), onB.stop()]);
    }
  });

  it('share idempotency keys: a send retried with the same key on the other process is stored once', async () => {
    const channel = uniqueChannel('send');
    const reader = follow([b.origin], [channel]);
    const send = async (origin: string, key: string, data: unknown) => {
      const res = await fetch(`${origin}/comet/send`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify({ channel, data }),
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as CometEvent };
    };
    try {
      await until(() => reader.connections === 1, 10_000, 'the reader');
      const first = await send(a.origin, 'retry-key-0001', { n: 1 });
      const retry = await send(b.origin, 'retry-key-0001', { n: 1 });
      assert.equal(first.status, 200);
      assert.deepEqual([retry.status, retry.replayed, retry.body.id], [200, 'true', first.body.id]);
      // Racing: both processes get the request at once; one stores it, the other answers with its event.
      const racing = await Promise.all([send(a.origin, 'race-key-0002', { n: 2 }), send(b.origin, 'race-key-0002', { n: 2 })]);
      assert.deepEqual(racing.map((r) => r.status), [200, 200]);
      assert.equal(racing[0].body.id, racing[1].body.id);
      assert.equal(racing.filter((r) => r.replayed === 'true').length, 1);
      const marker = await publishSurely(a.origin, channel, { n: 'end' });
      await until(() => reader.events.some((event) => event.id === marker.id), 10_000, 'the marker');
      assert.deepEqual(reader.events.map((event) => (event.data as { n: unknown }).n), [1, 2, 'end']);
    } finally {
      await reader.stop();
    }
  });

  it('share the inbox: what is added and changed through one process is listed, counted and announced by the other', async () => {
    const user = `ada-${randomBytes(4).toString('hex')}`;
    const inbox = async (origin: string, path: string, init?: { method: string; body: unknown; headers?: Record<string, string> }) => {
      const res = await fetch(`${origin}/comet${path}`, {
        ...(init ? { method: init.method, body: JSON.stringify(init.body), headers: { 'Content-Type': 'application/json', ...init.headers } } : {}),
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return res.json() as Promise<{ channel: string; counts: { total: number; unseen: number; unread: number }; items?: Array<{ id: number; read: boolean }> }>;
    };
    const { channel } = await inbox(b.origin, `/inbox/counts?user=${user}`);
    const onB = follow([b.origin], [channel]);
    try {
      await until(() => onB.connections === 1, 10_000, 'the inbox reader');
      for (const title of ['one', 'two', 'three']) {
        await inbox(a.origin, '/inbox/notify', { method: 'POST', body: { user, data: { title } }, headers: { Authorization: `Bearer ${publishKey}` } });
      }
      const listed = await inbox(b.origin, `/inbox?user=${user}`);
      assert.deepEqual(listed.items!.map((item) => item.id), [3, 2, 1]);
      assert.deepEqual(listed.counts, { total: 3, unseen: 3, unread: 3 });
      await inbox(a.origin, `/inbox/state?user=${user}`, { method: 'POST', body: { upTo: 2, read: true } });
      assert.deepEqual((await inbox(b.origin, `/inbox/counts?user=${user}`)).counts, { total: 3, unseen: 1, unread: 1 });
      await until(() => onB.events.length === 4, 10_000, 'three inbox.added and one inbox.changed on B');
      assert.deepEqual(onB.events.map((event) => event.type), ['inbox.added', 'inbox.added', 'inbox.added', 'inbox.changed']);
      assert.deepEqual((onB.events[3]!.data as { counts: unknown }).counts, { total: 3, unseen: 1, unread: 1 });
    } finally {
      await onB.stop();
    }
  });

  it('a process killed (SIGKILL) and restarted: its readers resume from Redis on another process and on it, with no gap', async () => {
    const channel = uniqueChannel();
    const movesOn = follow([a.origin, b.origin], [channel]);
    const waitsForA = follow([a.origin], [channel]);
    const published: CometEvent[] = [];
    try {
      await until(() => movesOn.connections === 1 && waitsForA.connections === 1, 10_000, 'both readers on A');
      for (let n = 0; n < 30; n += 1) published.push(await publishSurely(b.origin, channel, { n }));
      await until(() => waitsForA.events.length === 30, 10_000, 'the first 30 events');
      await a.stop('SIGKILL');
      for (let n = 30; n < 80; n += 1) published.push(await publishSurely(b.origin, channel, { n }));
      await until(() => movesOn.events.length === 80, 10_000, 'the reader that moved to B to catch up');
      await a.start();
      for (let n = 80; n < 100; n += 1) published.push(await publishSurely(a.origin, channel, { n }));
      await until(() => waitsForA.events.length >= 100 && movesOn.events.length >= 100, 20_000, 'both readers to have 100 events');
      for (const reader of [movesOn, waitsForA]) {
        assert.deepEqual(sameIds(reader.events, published), { lost: 0, doubled: 0, ordered: true, extra: 0 });
        assert.deepEqual(reader.gaps, []);
      }
      assert.deepEqual(movesOn.servedBy.slice(0, 2), [a.origin, b.origin], 'the first reader was served by A, then B');
      assert.ok(waitsForA.connections >= 2, 'the second reader reconnected to the restarted A');
    } finally {
      await Promise.all([movesOn.stop(), waitsForA.stop()]);
    }
  });

  it('Redis stopped and restarted under load: 503 broker-unavailable meanwhile (publishes and new streams), open streams stay open and beat, nothing acknowledged lost', async () => {
    const channels = [uniqueChannel(), uniqueChannel()];
    const onA = follow([a.origin], channels);
    const onB = follow([b.origin], channels);
    const acked: CometEvent[] = [];
    const refusals = new Map<string, number>();
    let stopPublishing = false;
    try {
      await until(() => onA.connections === 1 && onB.connections === 1, 10_000, 'both readers');
      // One publisher alternating between the processes, retrying what is refused; bounded in count and time.
      const deadline = Date.now() + 60_000;
      const publisher = (async () => {
        for (let n = 0; n < 300 && !stopPublishing && Date.now() < deadline; ) {
          const result = await publish(n % 2 ? a.origin : b.origin, channels[n % 2]!, { n });
          if (result.event) {
            acked.push(result.event);
            n += 1;
          } else {
            const key = `${result.status} ${result.code}`;
            refusals.set(key, (refusals.get(key) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      })();
      await until(() => acked.length >= 100, 20_000, '100 events before the outage');
      await redis.stop('SIGKILL');
      const beats = { a: onA.heartbeats, b: onB.heartbeats };
      await until(() => (refusals.get('503 broker-unavailable') ?? 0) >= 5, 10_000, 'publishes refused with 503 broker-unavailable');
      await until(() => onA.heartbeats >= beats.a + 2 && onB.heartbeats >= beats.b + 2, 10_000, 'heartbeats while Redis is down');
      assert.equal(onA.connections, 1, 'the stream on A stayed open through the outage');
      assert.equal(onB.connections, 1, 'the stream on B stayed open through the outage');
      // A stream opened now cannot read history: refused like a publish, not answered 200 and cut before its hello.
      const fresh = await fetch(`${a.origin}/comet/sse?ch=${channels[0]}`, { signal: AbortSignal.timeout(5000) });
      assert.equal(fresh.status, 503, 'a new stream while Redis is down');
      assert.equal(((await fresh.json()) as { error: { code: string } }).error.code, 'broker-unavailable');
      const ackedBeforeRestart = acked.length;
      await redis.start();
      await publisher;
      assert.equal(acked.length, 300, `the publisher got every event acknowledged (refusals: ${JSON.stringify([...refusals])})`);
      assert.ok(acked.length > ackedBeforeRestart);
      assert.deepEqual([...refusals.keys()], ['503 broker-unavailable'], 'the only refusal is the documented one');
      for (const reader of [onA, onB]) {
        const lastIds = channels.map((channel) => acked.filter((event) => event.channel === channel).at(-1)!.id);
        await until(() => lastIds.every((id) => reader.events.some((event) => event.id === id)), 20_000, `a reader to have the last events (has ${reader.events.length})`);
        for (const channel of channels) {
          const mine = reader.events.filter((event) => event.channel === channel);
          const { extra, ...owed } = sameIds(mine, acked.filter((event) => event.channel === channel));
          assert.deepEqual(owed, { lost: 0, doubled: 0, ordered: true });
          // Redis killed mid-publish may have stored an event whose answer never came: the retry stores it again.
          assert.ok(extra <= (refusals.get('503 broker-unavailable') ?? 0), `${extra} unacknowledged events, more than the refusals`);
        }
        assert.deepEqual(reader.gaps, []);
      }
    } finally {
      stopPublishing = true;
      await Promise.all([onA.stop(), onB.stop()]);
    }
  });
});

describe('cli.ts --workers 2 on Redis', { skip }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.close());

  it('serves one port from two processes, replaces a worker killed with SIGKILL, and its readers resume', async () => {
    const port = await freePort();
    const cli = startProcess(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../server/cli.ts', import.meta.url)), '--workers', '2'], {
      env: { ...process.env, PORT: String(port), COMET_REDIS_URL: redis.url, COMET_PUBLISH_KEY: publishKey },
    });
    const origin = `http://127.0.0.1:${port}`;
    const channel = uniqueChannel();
    const readers = Array.from({ length: 4 }, () => follow([origin], [channel]));
    try {
      await cli.waitFor('(2 workers on Redis)', 30_000);
      const pids = [...cli.output().matchAll(/worker \d \(pid (\d+)\) listening/g)].map((match) => Number(match[1]));
      assert.equal(new Set(pids).size, 2, 'two worker processes');
      await until(() => readers.every((reader) => reader.connections === 1), 10_000, 'four readers');
      const published: CometEvent[] = [];
      for (let n = 0; n < 10; n += 1) published.push(await publishSurely(origin, channel, { n }));
      process.kill(pids[0]!, 'SIGKILL');
      await cli.waitFor(/died \(SIGKILL\); starting a new one[\s\S]*listening/, 20_000);
      for (let n = 10; n < 20; n += 1) published.push(await publishSurely(origin, channel, { n }));
      for (const reader of readers) {
        await until(() => reader.events.length >= 20, 10_000, 'every reader to have 20 events');
        assert.deepEqual(sameIds(reader.events, published), { lost: 0, doubled: 0, ordered: true, extra: 0 });
      }
    } finally {
      await Promise.all(readers.map((reader) => reader.stop()));
      await cli.stop('SIGTERM');
    }
  });
});
