/** The PresenceStore contract, run against the memory store and the Redis store (two processes' worth of it on one Redis). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryPresenceStore } from '../../server/presence/memory-presence-store.js';
import type { PresenceStore } from '../../server/presence/presence-store.js';
import { RedisPresenceStore } from '../../server/presence/redis-presence-store.js';
import { uniqueChannel } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';

/** `a` and `b` are two views of one store: the same object in memory, two connections (as two processes) on Redis. */
interface Stores {
  readonly a: PresenceStore;
  readonly b: PresenceStore;
  close(): Promise<void>;
}

function contract(name: string, skip: string | false, make: () => Promise<Stores>): void {
  describe(`PresenceStore contract: ${name}`, { skip }, () => {
    let stores: Stores;
    before(async () => {
      stores = await make();
    });
    after(() => stores?.close());

    it('reports a join for a user’s first session only, and keeps arrival order and the first arrival time', async () => {
      const { a, b } = stores;
      const channel = uniqueChannel();
      assert.equal(await a.touch(channel, { user: 'ada', name: 'Ada' }, 's-ada-1', 1000, 5000), true);
      assert.equal(await b.touch(channel, { user: 'ada', name: 'Ada L.' }, 's-ada-2', 1500, 5500), false);
      assert.equal(await b.touch(channel, { user: 'bob', name: 'Bob' }, 's-bob-1', 2000, 6000), true);
      assert.deepEqual(await a.roster(channel), [
        { user: 'ada', name: 'Ada L.', since: 1000 },
        { user: 'bob', name: 'Bob', since: 2000 },
      ]);
      assert.deepEqual(await b.roster(uniqueChannel()), []);
    });

    it('reports a leave only for the last session, once', async () => {
      const { a, b } = stores;
      const channel = uniqueChannel();
      await a.touch(channel, { user: 'cy', name: 'Cy' }, 's-cy-1', 1000, 5000);
      await b.touch(channel, { user: 'cy', name: 'Cy' }, 's-cy-2', 1000, 5000);
      assert.equal(await a.leave(channel, 'cy', 's-cy-1'), false);
      assert.equal(await b.leave(channel, 'cy', 's-cy-1'), false, 'a session already gone');
      assert.equal(await b.leave(channel, 'cy', 's-cy-2'), true);
      assert.equal(await a.leave(channel, 'cy', 's-cy-2'), false);
      assert.deepEqual(await a.roster(channel), []);
    });

    it('expires sessions past their expiry, reporting each departed user to one sweeper only', async () => {
      const { a, b } = stores;
      const channel = uniqueChannel();
      const other = uniqueChannel();
      await a.touch(channel, { user: 'dee', name: 'Dee' }, 's-dee-1', 1000, 2000);
      await a.touch(channel, { user: 'eve', name: 'Eve' }, 's-eve-1', 1000, 2000);
      await a.touch(channel, { user: 'eve', name: 'Eve' }, 's-eve-2', 1000, 9000);
      await b.touch(other, { user: 'dee', name: 'Dee' }, 's-dee-2', 1000, 2500);
      // Two processes sweep at the same moment.
      const [fromA, fromB] = await Promise.all([a.expire(3000), b.expire(3000)]);
      const departures = [...fromA, ...fromB].filter((d) => d.channel === channel || d.channel === other);
      assert.deepEqual(
        departures.map((d) => `${d.channel}/${d.user}`).sort(),
        [`${channel}/dee`, `${other}/dee`].sort(),
      );
      assert.deepEqual((await b.roster(channel)).map((m) => m.user), ['eve']);
      // A session renewed before the sweep stays.
      await a.touch(channel, { user: 'eve', name: 'Eve' }, 's-eve-2', 9000, 20_000);
      assert.deepEqual((await a.expire(10_000)).filter((d) => d.channel === channel), []);
    });
  });
}

contract('MemoryPresenceStore', false, async () => {
  const store = new MemoryPresenceStore();
  return { a: store, b: store, close: () => store.close() };
});

let redis: TestRedis | undefined;
contract('RedisPresenceStore', scaleOutBinaries(['redis-server']).skip, async () => {
  redis = await startRedis();
  const [a, b] = [new RedisPresenceStore({ url: redis.url }), new RedisPresenceStore({ url: redis.url })];
  await Promise.all([a.ready(), b.ready()]);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await redis?.close();
    },
  };
});
