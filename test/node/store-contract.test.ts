import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryInboxStore } from '../../server/inbox/memory-inbox-store.js';
import { RedisInboxStore } from '../../server/inbox/redis-inbox-store.js';
import { INBOX_TAKE_DUE } from '../../server/redis/inbox-scripts.js';
import { connectRedis } from '../../server/redis/redis-connection.js';
import { MemoryPresenceStateStore } from '../../server/presence/presence-state-store.js';
import { RedisPresenceStateStore } from '../../server/presence/redis-presence-state-store.js';
import { MemoryIdempotencyStore } from '../../server/send/idempotency-store.js';
import { RedisIdempotencyStore } from '../../server/send/redis-idempotency-store.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis } from '../support/scale/redis-server.js';
import { CONTRACT_MAX_ITEMS, storeContract } from '../support/scale/store-contract.js';

storeContract('memory', {
  skip: false,
  make: async () => {
    const inbox = new MemoryInboxStore({ maxItemsPerUser: CONTRACT_MAX_ITEMS });
    const keys = new MemoryIdempotencyStore();
    const states = new MemoryPresenceStateStore();
    return {
      inbox: [inbox, inbox],
      keys: [keys, keys],
      states: [states, states],
      close: async () => {
        await Promise.all([inbox.close(), keys.close(), states.close()]);
      },
    };
  },
});

storeContract('Redis', {
  skip: scaleOutBinaries(['redis-server']).skip,
  make: async () => {
    const redis = await startRedis({ fsync: 'everysec' });
    // Each side its own connection, as two processes would have.
    const inbox = [0, 1].map(() => new RedisInboxStore({ url: redis.url, maxItemsPerUser: CONTRACT_MAX_ITEMS })) as [RedisInboxStore, RedisInboxStore];
    const keys = [0, 1].map(() => new RedisIdempotencyStore({ url: redis.url })) as [RedisIdempotencyStore, RedisIdempotencyStore];
    const states = [0, 1].map(() => new RedisPresenceStateStore({ url: redis.url })) as [RedisPresenceStateStore, RedisPresenceStateStore];
    const all = [...inbox, ...keys, ...states];
    await Promise.all(all.map((store) => store.ready()));
    return {
      inbox,
      keys,
      states,
      close: async () => {
        await Promise.all(all.map((store) => store.close()));
        await redis.close();
      },
    };
  },
});

describe('Redis stores while Redis is away', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  it('refuse with 503 broker-unavailable, without crashing, and work again once it is back', async () => {
    const redis = await startRedis({ fsync: 'everysec' });
    const inbox = new RedisInboxStore({ url: redis.url, commandTimeoutMs: 500 });
    const keys = new RedisIdempotencyStore({ url: redis.url, commandTimeoutMs: 500 });
    const states = new RedisPresenceStateStore({ url: redis.url, commandTimeoutMs: 500 });
    const event = { id: 'e-1', channel: 'c', type: 'message', data: 1, time: 1 };
    try {
      await Promise.all([inbox.ready(), keys.ready(), states.ready()]);
      await inbox.add('ada', { type: 'note', data: 1, time: 1 });
      await redis.stop();
      const unavailable = (error: { status?: number; code?: string }) => error.status === 503 && error.code === 'broker-unavailable';
      await assert.rejects(inbox.add('ada', { type: 'note', data: 2, time: 2 }), unavailable);
      await assert.rejects(inbox.list('ada', 'all', undefined, 10), unavailable);
      await assert.rejects(inbox.counts('ada'), unavailable);
      await assert.rejects(inbox.update('ada', { upTo: 1, set: { read: true } }), unavailable);
      await assert.rejects(keys.claim('sender\nkey-outage', { fingerprint: 'f', event: Promise.resolve(event) }, Date.now()), unavailable);
      await assert.rejects(states.set('c', 'ada', 'typing'), unavailable);
      await assert.rejects(states.all('c'), unavailable);
      await redis.start();
      // The append-only file kept the first notification; the clients reconnect by themselves.
      let counts: unknown;
      const deadline = Date.now() + 15_000;
      while (counts === undefined && Date.now() < deadline) {
        counts = await inbox.counts('ada').catch(() => new Promise((resolve) => setTimeout(resolve, 50)));
      }
      assert.deepEqual(counts, { total: 1, unseen: 1, unread: 1 });
    } finally {
      await Promise.all([inbox.close(), keys.close(), states.close()]);
      await redis.close();
    }
  });
});

describe('Redis inbox snoozes', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  it('keeps an inbox whose snooze ends past its TTL until the snooze has come back, and lets no key it makes outlive the inbox', async () => {
    const redis = await startRedis();
    const store = new RedisInboxStore({ url: redis.url, ttlMs: 60_000 });
    const direct = connectRedis({ url: redis.url, commandTimeoutMs: 2000, maxPendingCommands: 100, role: 'test' });
    try {
      await Promise.all([store.ready(), direct.ready]);
      const { item } = await store.add('bob', { type: 'note', data: 1, time: 1 });
      await store.snooze('bob', [item.id], Date.now() + 3_600_000);
      for (const name of ['meta', 'ids', 'items', 'flags', 'snoozed']) {
        const left = await direct.client.sendCommand<number>(['PTTL', `comet:inbox:{bob}:${name}`]);
        assert.ok(left > 3_600_000, `${name} lives ${left} ms`);
      }
      // A claim makes the extra hash: it goes with the inbox, not never.
      const other = await store.add('cy', { type: 'note', data: 1, time: 1, actions: [{ id: 'ok', label: 'OK', kind: 'primary' }] });
      await store.claimAction('cy', other.item.id, 'token', 1000, Date.now());
      const extra = await direct.client.sendCommand<number>(['PTTL', 'comet:inbox:{cy}:extra']);
      assert.ok(extra > 0 && extra <= 60_000, `extra lives ${extra} ms`);
    } finally {
      await store.close();
      await direct.client.close();
      await redis.close();
    }
  });

  it('takes again, after its lease, a due snooze a process took and died before waking, and wakes it once', async () => {
    const redis = await startRedis();
    const store = new RedisInboxStore({ url: redis.url, wakeLeaseMs: 1000 });
    const dying = connectRedis({ url: redis.url, commandTimeoutMs: 2000, maxPendingCommands: 100, role: 'a process that dies' });
    try {
      await Promise.all([store.ready(), dying.ready]);
      const { item } = await store.add('ada', { type: 'note', data: 1, time: 1 });
      const until = Date.now() + 60_000;
      await store.snooze('ada', [item.id], until);
      // Another process takes the due snooze (as wake() does) and dies before waking it.
      const taken = await INBOX_TAKE_DUE.run<string[]>(dying.client, ['comet:inbox-snoozes'], [String(until), String(until + 1000), '100']);
      assert.deepEqual(taken, [`ada ${item.id}`]);
      await dying.client.close();
      assert.deepEqual(await store.wake(until + 999, 100), [], 'not while the lease holds');
      const woken = await store.wake(until + 1000, 100);
      assert.deepEqual(woken.map((one) => [one.user, one.replaces, one.item.read]), [['ada', item.id, false]]);
      assert.deepEqual(await store.wake(until + 5000, 100), [], 'once');
      assert.deepEqual((await store.list('ada', 'all', undefined, 10)).items.map((one) => one.id), [woken[0]!.item.id]);
    } finally {
      await store.close();
      dying.client.destroy();
      await redis.close();
    }
  });
});
