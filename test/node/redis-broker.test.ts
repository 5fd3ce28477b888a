/** What the Redis broker does beyond the Broker contract: age bounds, restarts, lost pub/sub, Redis away. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { RedisBroker } from '../../server/broker/redis-broker.js';
import { HttpStatusError } from '../../server/http/http-error.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { epochOf, seqOf } from '../support/frames.js';
import { uniqueChannel, until } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';

describe('RedisBroker', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  const brokers: RedisBroker[] = [];
  const broker = async (options: { historyMaxAgeMs?: number } = {}): Promise<RedisBroker> => {
    const made = new RedisBroker({ url: redis.url, ...options });
    brokers.push(made);
    await made.ready();
    return made;
  };
  before(async () => {
    redis = await startRedis();
  });
  async function untilRedisClockPasses(ms: number): Promise<void> {
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      for (;;) {
        const [seconds, micros] = (await admin.sendCommand(['TIME'])) as [string, string];
        const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
        if (now > ms) return;
        await sleep(ms - now + 1);
      }
    } finally {
      await admin.close();
    }
  }
  after(async () => {
    await Promise.all(brokers.map((b) => b.close()));
    await redis?.close();
  });

  it('keeps positions across broker restarts: a new instance continues the epoch and seq', async () => {
    const channel = uniqueChannel();
    const first = await broker();
    const a = await first.publish({ channel, type: 'message', data: 1 });
    await first.close();
    const second = await broker();
    const b = await second.publish({ channel, type: 'message', data: 2 });
    assert.equal(epochOf(b.id), epochOf(a.id), 'same epoch');
    assert.equal(seqOf(b.id), seqOf(a.id) + 1);
    assert.deepEqual((await second.read(channel, { epoch: epochOf(a.id), seq: 0 })).events.map((e) => e.data), [1, 2]);
  });

  it('drops history older than historyMaxAgeMs, and says so to a reader who needed it', async () => {
    const channel = uniqueChannel();
    const aging = await broker({ historyMaxAgeMs: 1000 });
    const old = await aging.publish({ channel, type: 'message', data: 'old' });
    // The bound is on the data's age by Redis's clock (the publish script reads TIME): wait until that
    // clock is past it, rather than for a fixed time on ours.
    await untilRedisClockPasses(old.time + 1000);
    const fresh = await aging.publish({ channel, type: 'message', data: 'fresh' });
    const epoch = epochOf(old.id);
    const read = await aging.read(channel, { epoch, seq: 0 });
    assert.deepEqual(read.events.map((e) => e.id), [fresh.id]);
    assert.deepEqual(read.gap, { to: { epoch, seq: 1 }, reason: 'history-exceeded' });
  });

  it('catches up a subscriber whose pub/sub connection was dropped while another process published', async () => {
    const channel = uniqueChannel();
    const reader = await broker();
    const writer = await broker();
    const seen: CometEvent[] = [];
    const stop = reader.subscribe(channel, (event) => seen.push(event));
    await reader.read(channel, undefined);
    const published = [await writer.publish({ channel, type: 'message', data: 0 })];
    await until(() => seen.length === 1, 5000, 'the first event');
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      // Every pub/sub connection is dropped; the reader's client reconnects by itself.
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      for (let n = 1; n <= 5; n += 1) published.push(await writer.publish({ channel, type: 'message', data: n }));
      await until(() => seen.length === 6, 10_000, `the events published while pub/sub was down (have ${seen.length})`);
      assert.deepEqual(seen.map((e) => e.id), published.map((e) => e.id));
    } finally {
      stop();
      await admin.close();
    }
  });

  it('refuses publishes and reads with 503 broker-unavailable while Redis is down, and serves again once it is back', async () => {
    const channel = uniqueChannel();
    const subject = await broker();
    await subject.publish({ channel, type: 'message', data: 'before' });
    await redis.stop('SIGKILL');
    try {
      for (const attempt of [() => subject.publish({ channel, type: 'message', data: 'during' }), () => subject.read(channel, undefined)]) {
        await assert.rejects(attempt, (error: unknown) => error instanceof HttpStatusError && error.status === 503 && error.code === 'broker-unavailable');
      }
    } finally {
      await redis.start();
    }
    let published: CometEvent | undefined;
    for (let tries = 0; !published && tries < 200; tries += 1) {
      published = await subject.publish({ channel, type: 'message', data: 'after' }).catch(() => undefined);
      if (!published) await sleep(25);
    }
    assert.ok(published, 'publishing works again once Redis is back');
    const read = await subject.read(channel, { epoch: epochOf(published.id), seq: 0 });
    assert.deepEqual(read.events.map((e) => e.data), ['before', 'after'], 'what was acknowledged before the outage is still there');
  });
});
