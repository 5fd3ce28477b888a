/** Resumes of one channel share one history read: every reader still gets exactly what a read of its own returns. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker, HistoryRead } from '../../server/broker/broker.js';
import { CoalescedReads } from '../../server/broker/coalesced-reads.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { RedisBroker } from '../../server/broker/redis-broker.js';
import type { Position } from '../../src/protocol/position.js';
import { epochOf } from '../support/frames.js';
import { uniqueChannel } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';

/** Every position a resuming reader may bring: none, each one of the channel's life and past it, and one of another epoch. */
function positions(epoch: string, head: number): Array<Position | undefined> {
  const all: Array<Position | undefined> = [undefined, { epoch: 'zzzother', seq: 3 }];
  for (let seq = 0; seq <= head + 2; seq++) all.push({ epoch, seq });
  // In reverse as well: the earliest position must win whichever reader asked first.
  return [...all, ...all.reverse()];
}

async function checkAgainstOwnReads(broker: Broker, channel: string, head: number): Promise<void> {
  let storeReads = 0;
  const reads = new CoalescedReads({
    read: (c, after) => {
      storeReads += 1;
      return broker.read(c, after);
    },
  });
  const epoch = epochOf((await broker.recent(channel, 1))[0]!.id);
  const asked = positions(epoch, head);
  const shared = await Promise.all(asked.map((after) => reads.read(channel, after)));
  const own: HistoryRead[] = [];
  for (const after of asked) own.push(await broker.read(channel, after));
  shared.forEach((read, index) => assert.deepEqual(read, own[index], `reader after ${JSON.stringify(asked[index])}`));
  // Readers of one epoch wait for one read; no position, or another epoch, each another.
  assert.ok(storeReads <= 4, `${storeReads} store reads for ${asked.length} readers`);
  assert.equal(reads.answered, asked.length);
}

describe('coalesced history reads', () => {
  it('answers every reader of a memory broker as its own read would, with gaps, from one read per epoch', async () => {
    const broker = new MemoryBroker({ historySize: 8 });
    try {
      const channel = uniqueChannel();
      for (let i = 1; i <= 20; i++) await broker.publish({ channel, type: 'message', data: i });
      // Positions 0-11 are forgotten (history-exceeded), 12-20 held, 21-22 ahead (cursor-ahead).
      await checkAgainstOwnReads(broker, channel, 20);
    } finally {
      await broker.close();
    }
  });

  it('reads once more for readers who asked while a read was running: none joins a read that started before it asked', async () => {
    const broker = new MemoryBroker();
    try {
      const channel = uniqueChannel();
      await broker.publish({ channel, type: 'message', data: 1 });
      const epoch = epochOf((await broker.recent(channel, 1))[0]!.id);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let began!: () => void;
      const firstBegan = new Promise<void>((resolve) => (began = resolve));
      let storeReads = 0;
      const reads = new CoalescedReads({
        read: async (c, position) => {
          storeReads += 1;
          if (storeReads === 1) {
            began();
            await gate;
          }
          return broker.read(c, position);
        },
      });
      const first = reads.read(channel, { epoch, seq: 0 });
      await firstBegan;
      // Published after the first read began: a reader asking now must see it.
      await broker.publish({ channel, type: 'message', data: 2 });
      const second = reads.read(channel, { epoch, seq: 0 });
      release();
      assert.deepEqual((await first).events.map((e) => e.data), [1, 2], 'the gated read ran after the publish as well');
      assert.deepEqual((await second).events.map((e) => e.data), [1, 2]);
      assert.equal(storeReads, 2);
    } finally {
      await broker.close();
    }
  });

  describe('on Redis', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
    let redis: TestRedis;
    let broker: RedisBroker;
    before(async () => {
      redis = await startRedis({ fsync: 'everysec' });
      broker = new RedisBroker({ url: redis.url, historySize: 8 });
      await broker.ready();
    });
    after(async () => {
      await broker?.close();
      await redis?.close();
    });

    it('answers every reader as its own read would, with gaps, from one read per epoch', async () => {
      const channel = uniqueChannel();
      for (let i = 1; i <= 20; i++) await broker.publish({ channel, type: 'message', data: i });
      await checkAgainstOwnReads(broker, channel, 20);
    });
  });
});
