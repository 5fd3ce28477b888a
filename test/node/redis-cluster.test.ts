/**
 * The Redis broker on a three-master Redis Cluster: channels spread over
 * the masters (each channel's keys in one slot, by hash tag), live events
 * through sharded pub/sub, resumes from history, and a master restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisBroker } from '../../server/broker/redis-broker.js';
import { redisPresenceStore } from '../../server/presence/redis-presence-store.js';
import { storageFromEnv } from '../../server/standalone/storage-from-env.js';
import { helloOf, takeEvents } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, type TestServer } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedisCluster, type TestRedisCluster } from '../support/scale/redis-cluster.js';
import { startProcess } from '../support/scale/child-process.js';
import { fileURLToPath } from 'node:url';
import { openSse, type SseStream } from '../support/sse-client.js';

const PUBLISH_KEY = 'publish-key-for-cluster-tests';
const CHANNELS = Array.from({ length: 24 }, (_, i) => `cluster.room.${i}`);

/** Publishes, retrying while the channel's master is away (a 503), for at most `withinMs`. */
async function publishSoon(server: TestServer, channel: string, data: unknown, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await server.comet.publish(channel, data);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

function byChannel(events: ReadonlyArray<{ channel: string; data: unknown }>): Map<string, unknown[]> {
  const map = new Map<string, unknown[]>();
  for (const event of events) map.set(event.channel, [...(map.get(event.channel) ?? []), event.data]);
  return map;
}

describe('RedisBroker on a Redis Cluster', { skip: scaleOutBinaries(['redis-server', 'redis-cli']).skip }, () => {
  let cluster: TestRedisCluster;
  let writer: TestServer;
  let reader: TestServer;

  before(async () => {
    cluster = await startRedisCluster();
    // Reached through two of the three masters: the client learns the rest from the slot map.
    const brokers = [redisBroker({ url: cluster.urls[1]!, cluster: [cluster.urls[2]!] }), redisBroker({ url: cluster.urls[2]!, cluster: true })];
    await Promise.all(brokers.map((broker) => broker.ready()));
    const options = { heartbeatMs: 60_000, publishKey: PUBLISH_KEY, send: { publicChannels: ['cluster.*'] }, inbox: { anonymous: true } };
    const presence = (url: string) => ({ ttlMs: 2000, store: redisPresenceStore({ url, cluster: true }) });
    writer = await startServer({ ...options, broker: brokers[0]!, presence: presence(cluster.urls[0]!) });
    reader = await startServer({ ...options, broker: brokers[1]!, presence: presence(cluster.urls[1]!) });
  });
  after(async () => {
    await writer?.close();
    await reader?.close();
    await cluster?.close();
  });

  let cursor = '';

  it('spreads channels over every master and delivers live events across processes', async () => {
    const stream = await openSse(reader.sseUrl(CHANNELS));
    try {
      helloOf(await stream.next(10_000));
      for (const [i, channel] of CHANNELS.entries()) await writer.comet.publish(channel, { n: 1, i });
      const events = await takeEvents(stream, CHANNELS.length, 10_000);
      const got = byChannel(events);
      for (const [i, channel] of CHANNELS.entries()) assert.deepEqual(got.get(channel), [{ n: 1, i }], channel);
      cursor = events.at(-1)!.cursor;
      // Sharded pub/sub: each master carries its own channels' subscriptions, and nothing is broadcast to all.
      const shardChannels = [0, 1, 2].map((index) => cluster.cli(index, ['PUBSUB', 'SHARDCHANNELS']).split('\n').filter(Boolean));
      assert.ok(shardChannels.every((list) => list.length > 0), JSON.stringify(shardChannels));
      assert.equal(new Set(shardChannels.flat()).size, CHANNELS.length);
      for (const index of [0, 1, 2]) assert.equal(cluster.cli(index, ['PUBSUB', 'CHANNELS']), '');
    } finally {
      stream.close();
    }
    // Each channel's keys (meta, log) hash to one slot: every master holds some channels.
    for (const index of [0, 1, 2]) assert.ok(Number(cluster.cli(index, ['DBSIZE'])) >= 2, `master ${index} holds no channel`);
  });

  it('resumes every channel from a cursor, whatever master holds it', async () => {
    for (const [i, channel] of CHANNELS.entries()) await writer.comet.publish(channel, { n: 2, i });
    const stream = await openSse(reader.sseUrl(CHANNELS, { cursor }));
    try {
      helloOf(await stream.next(10_000));
      const got = byChannel(await takeEvents(stream, CHANNELS.length, 10_000));
      for (const [i, channel] of CHANNELS.entries()) assert.deepEqual(got.get(channel), [{ n: 2, i }], channel);
    } finally {
      stream.close();
    }
  });

  it('shares inboxes, snoozes and idempotency keys between processes through the cluster', async () => {
    for (const user of ['ada', 'grace', 'lin']) {
      const added = await http(`${writer.base}/inbox/notify`, { headers: { Authorization: `Bearer ${PUBLISH_KEY}` }, body: { user, type: 'note', data: { title: `for ${user}` } } });
      assert.equal(added.status, 200, added.text);
      const list = await http(`${reader.base}/inbox?user=${user}`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json<{ items: Array<{ data: unknown }> }>().items.map((item) => item.data), [{ title: `for ${user}` }]);
      const snoozed = await http(`${reader.base}/inbox/snooze?user=${user}`, { body: { ids: [1], until: Date.now() + 3_600_000 } });
      assert.equal(snoozed.status, 200, snoozed.text);
      assert.equal((await http(`${writer.base}/inbox/counts?user=${user}`)).json<{ counts: { total: number } }>().counts.total, 0);
    }
    const body = { channel: 'cluster.room.1', data: 'once' };
    const first = await http(`${writer.base}/send`, { headers: { 'Idempotency-Key': 'cluster-key-0001' }, body });
    const again = await http(`${reader.base}/send`, { headers: { 'Idempotency-Key': 'cluster-key-0001' }, body });
    assert.equal(first.status, 200, first.text);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
  });

  it('keeps presence rosters across processes and channels of every master, with leaves and timeouts', async () => {
    const rooms = CHANNELS.slice(0, 8);
    const query = (extra: string) => `${rooms.map((room) => `ch=${room}`).join('&')}&session=cluster-session-1&user=ada${extra}`;
    const members = async (room: string): Promise<string[]> => {
      const res = await http(`${reader.base}/presence?ch=${room}`);
      assert.equal(res.status, 200, res.text);
      return res.json<{ rosters: Array<{ members: Array<{ user: string }> }> }>().rosters[0]!.members.map((m) => m.user);
    };
    const watch = await openSse(reader.sseUrl([`presence:${rooms[1]}`]));
    try {
      helloOf(await watch.next(10_000));
      const beat = await http(`${writer.base}/presence?${query('')}`, { method: 'POST' });
      assert.equal(beat.status, 200, beat.text);
      for (const room of rooms) assert.deepEqual(await members(room), ['ada'], room);
      const left = await http(`${writer.base}/presence/leave?ch=${rooms[0]}&session=cluster-session-1&user=ada`, { method: 'POST' });
      assert.equal(left.status, 200, left.text);
      assert.deepEqual(await members(rooms[0]!), []);
      // No more beats: the sweep, on whichever process runs it, sees ada out of the others.
      const [joined, gone] = await takeEvents(watch, 2, 20_000);
      assert.equal(joined?.type, 'presence.join');
      assert.equal(gone?.type, 'presence.leave');
      assert.deepEqual(gone?.data, { user: 'ada', reason: 'timeout' });
      for (const room of rooms.slice(1)) assert.deepEqual(await members(room), [], room);
    } finally {
      watch.close();
    }
  });

  it('is what cometkit-server --workers 2 uses with COMET_REDIS_CLUSTER', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMET_')));
    const cli = startProcess(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../server/cli.ts', import.meta.url)), '--port', '0', '--workers', '2'], {
      env: { ...env, COMET_REDIS_CLUSTER: cluster.urls.join(','), COMET_PUBLISH_KEY: PUBLISH_KEY },
    });
    try {
      await cli.waitFor(/cometkit server on http:\/\/\S+/, 60_000);
      const base = /cometkit server on (http:\/\/\S+)/.exec(cli.output())![1]!;
      const channel = CHANNELS[5]!;
      const stream = await openSse(reader.sseUrl([channel]));
      try {
        helloOf(await stream.next(10_000));
        // Several publishes: the workers take connections in turn, so both publish through the cluster.
        // A worker listens while its cluster client still learns the slot map: until then it answers 503, which publishers retry.
        const deadline = Date.now() + 30_000;
        for (let n = 0; n < 4; ) {
          const res = await http(`${base}/publish`, { headers: { Authorization: `Bearer ${PUBLISH_KEY}` }, body: { channel, data: { cli: n } } });
          if (res.status === 503 && Date.now() < deadline) {
            await sleep(200);
            continue;
          }
          assert.equal(res.status, 200, res.text);
          n += 1;
        }
        assert.deepEqual((await takeEvents(stream, 4, 10_000)).map((event) => event.data), [0, 1, 2, 3].map((n) => ({ cli: n })));
      } finally {
        stream.close();
      }
    } finally {
      await cli.stop();
    }
  });

  it('keeps an open stream whole through a master restart: nothing lost, nothing doubled', async () => {
    const stream: SseStream = await openSse(reader.sseUrl(CHANNELS));
    let before = '';
    try {
      before = helloOf(await stream.next(10_000)).cursor;
      await cluster.restart(0);
      for (const [i, channel] of CHANNELS.entries()) await publishSoon(writer, channel, { n: 3, i });
      const got = byChannel(await takeEvents(stream, CHANNELS.length, 30_000));
      for (const [i, channel] of CHANNELS.entries()) assert.deepEqual(got.get(channel), [{ n: 3, i }], channel);
      // And nothing more follows: no event is delivered twice.
      for (const [i, channel] of CHANNELS.entries()) await writer.comet.publish(channel, { n: 4, i });
      const next = byChannel(await takeEvents(stream, CHANNELS.length, 10_000));
      for (const [i, channel] of CHANNELS.entries()) assert.deepEqual(next.get(channel), [{ n: 4, i }], channel);
    } finally {
      stream.close();
    }
    // The restarted master kept its channels' history (append-only file): a resume from before the restart replays both.
    const resumed = await openSse(reader.sseUrl(CHANNELS, { cursor: before }));
    try {
      helloOf(await resumed.next(10_000));
      const got = byChannel(await takeEvents(resumed, 2 * CHANNELS.length, 10_000));
      for (const [i, channel] of CHANNELS.entries()) assert.deepEqual(got.get(channel), [{ n: 3, i }, { n: 4, i }], channel);
    } finally {
      resumed.close();
    }
  });
});

describe('COMET_REDIS_CLUSTER', () => {
  it('refuses a node that is not a redis:// URL, and a cluster named beside COMET_REDIS_URL', () => {
    assert.throws(() => storageFromEnv({ COMET_REDIS_CLUSTER: 'redis://127.0.0.1:7000,127.0.0.1:7001' }), /COMET_REDIS_CLUSTER entries must start with redis:\/\/ or rediss:\/\/, got "127.0.0.1:7001"/);
    assert.throws(() => storageFromEnv({ COMET_REDIS_CLUSTER: 'redis://127.0.0.1:7000', COMET_REDIS_URL: 'redis://127.0.0.1:6379' }), /not both/);
    assert.deepEqual(storageFromEnv({ COMET_REDIS_CLUSTER: ' , ' }), {});
  });
});
