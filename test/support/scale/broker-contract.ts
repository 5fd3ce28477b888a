/**
 * What every Broker must do, as one suite run against each implementation
 * (test/node/broker-contract.test.ts): positions, history reads and gaps,
 * recent events, live delivery in order, and no event lost or doubled at
 * the seam between a feed's history read and its live subscription.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../../server/broker/broker.js';
import { openFeed } from '../../../server/stream/feed.js';
import type { Cursor } from '../../../src/protocol/cursor.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { parsePosition, type Position } from '../../../src/protocol/position.js';
import { uniqueChannel, until } from '../node-server.js';

export interface BrokerUnderTest {
  readonly broker: Broker;
  close(): Promise<void>;
}

const position = (id: string): Position => {
  const parsed = parsePosition(id);
  assert.ok(parsed, `"${id}" is not a position`);
  return parsed;
};

export function brokerContract(name: string, options: { skip: string | false; historySize: number; make: () => Promise<BrokerUnderTest> }): void {
  describe(`Broker contract: ${name}`, { skip: options.skip }, () => {
    let subject: BrokerUnderTest;
    let broker: Broker;
    before(async () => {
      subject = await options.make();
      broker = subject.broker;
    });
    after(() => subject?.close());

    const publishN = async (channel: string, count: number, from = 1): Promise<CometEvent[]> => {
      const events: CometEvent[] = [];
      for (let n = from; n < from + count; n += 1) events.push(await broker.publish({ channel, type: 'message', data: { n } }));
      return events;
    };

    it('gives each event the next seq of one epoch, and returns it as stored', async () => {
      const channel = uniqueChannel();
      const before = Date.now();
      const events = await publishN(channel, 3);
      const positions = events.map((event) => position(event.id));
      assert.deepEqual(positions.map((p) => p.seq), [1, 2, 3]);
      assert.equal(new Set(positions.map((p) => p.epoch)).size, 1);
      assert.deepEqual(events[0], { id: events[0]!.id, channel, type: 'message', data: { n: 1 }, time: events[0]!.time });
      // Wide bounds: the time is the store's clock, which may be another process's.
      assert.ok(Math.abs(events[0]!.time - before) < 60_000, `time ${events[0]!.time} is not now`);
      const read = await broker.read(channel, { epoch: positions[0]!.epoch, seq: 0 });
      assert.deepEqual(read.events, events, 'history holds exactly what publish returned');
    });

    it('reads nothing and the head for a new reader, and the events after a position', async () => {
      const channel = uniqueChannel();
      const events = await publishN(channel, 5);
      const { epoch } = position(events[0]!.id);
      assert.deepEqual(await broker.read(channel, undefined), { events: [], head: { epoch, seq: 5 } });
      const read = await broker.read(channel, { epoch, seq: 2 });
      assert.deepEqual(read.events.map((e) => e.data), [{ n: 3 }, { n: 4 }, { n: 5 }]);
      assert.deepEqual(read.head, { epoch, seq: 5 });
      assert.equal(read.gap, undefined);
      assert.deepEqual(await broker.read(channel, { epoch, seq: 5 }), { events: [], head: { epoch, seq: 5 } });
    });

    it('keeps one epoch for a channel nobody has written to yet, so its head stays valid', async () => {
      const channel = uniqueChannel();
      const { head } = await broker.read(channel, undefined);
      assert.equal(head.seq, 0);
      const [event] = await publishN(channel, 1);
      assert.deepEqual(position(event!.id), { epoch: head.epoch, seq: 1 });
      const read = await broker.read(channel, head);
      assert.deepEqual(read.events, [event]);
    });

    it('says history-exceeded and replays what is held when the reader fell behind', async () => {
      const channel = uniqueChannel();
      const size = options.historySize;
      const events = await publishN(channel, size + 3);
      const { epoch } = position(events[0]!.id);
      const read = await broker.read(channel, { epoch, seq: 1 });
      assert.deepEqual(read.gap, { to: { epoch, seq: 3 }, reason: 'history-exceeded' });
      assert.deepEqual(read.events.map((e) => position(e.id).seq), Array.from({ length: size }, (_, i) => i + 4));
      // Exactly at the oldest held position: no gap.
      assert.equal((await broker.read(channel, { epoch, seq: 3 })).gap, undefined);
    });

    it('says epoch-changed for a position from another epoch, and replays what is held', async () => {
      const channel = uniqueChannel();
      const events = await publishN(channel, 2);
      const { epoch } = position(events[0]!.id);
      const read = await broker.read(channel, { epoch: 'zzzz', seq: 40 });
      assert.deepEqual(read.gap, { to: { epoch, seq: 0 }, reason: 'epoch-changed' });
      assert.deepEqual(read.events, events);
    });

    it('says cursor-ahead for a position the channel never reached', async () => {
      const channel = uniqueChannel();
      const events = await publishN(channel, 2);
      const { epoch } = position(events[0]!.id);
      assert.deepEqual(await broker.read(channel, { epoch, seq: 9 }), { events: [], head: { epoch, seq: 2 }, gap: { to: { epoch, seq: 2 }, reason: 'cursor-ahead' } });
    });

    it('gives the last events held, oldest first', async () => {
      const channel = uniqueChannel();
      const events = await publishN(channel, 6);
      assert.deepEqual(await broker.recent(channel, 2), events.slice(4));
      assert.deepEqual(await broker.recent(channel, 50), events);
      assert.deepEqual(await broker.recent(uniqueChannel(), 5), []);
    });

    it('delivers live events in order to every subscriber until it unsubscribes', async () => {
      const channel = uniqueChannel();
      const seen: [CometEvent[], CometEvent[]] = [[], []];
      const stops = seen.map((list) => broker.subscribe(channel, (event) => list.push(event)));
      // Subscribing is confirmed by the first read (a Redis broker waits for its subscription there).
      await broker.read(channel, undefined);
      const events = await publishN(channel, 20);
      await until(() => seen[0].length === 20 && seen[1].length === 20, 5000, 'both subscribers to have 20 events');
      assert.deepEqual(seen[0], events);
      assert.deepEqual(seen[1], events);
      stops[0]!();
      await publishN(channel, 1, 21);
      await until(() => seen[1].length === 21, 5000, 'the remaining subscriber');
      const sentinel = uniqueChannel();
      const done: CometEvent[] = [];
      const stop = broker.subscribe(sentinel, (event) => done.push(event));
      await broker.read(sentinel, undefined);
      await publishN(sentinel, 1);
      await until(() => done.length === 1, 5000, 'a later event elsewhere');
      stop();
      stops[1]!();
      assert.equal(seen[0].length, 20, 'nothing reaches a subscriber after it unsubscribed');
    });

    it('loses and doubles nothing at the seam while feeds open under a steady publisher', async () => {
      const channel = uniqueChannel();
      const first = await broker.publish({ channel, type: 'message', data: { n: 0 } });
      const { epoch } = position(first.id);
      let n = 0;
      let publishing = true;
      const publisher = (async () => {
        while (publishing && n < 400) {
          n += 1;
          await broker.publish({ channel, type: 'message', data: { n } });
        }
      })();
      const feeds = await Promise.all(
        Array.from({ length: 6 }, async (_, index) => {
          await until(() => n >= index * 20, 5000, 'the publisher to move on');
          const from = Math.max(0, n - 10);
          const seqs: number[] = [];
          const cursor: Cursor = new Map([[channel, { epoch, seq: from + 1 }]]);
          const feed = await openFeed(broker, [channel], cursor, {
            start: () => {},
            gap: (gap) => assert.fail(`unexpected gap ${JSON.stringify(gap)}`),
            event: (event) => seqs.push(position(event.id).seq),
          });
          return { from, seqs, feed };
        }),
      );
      await until(() => n >= 150, 10_000, 'the publisher');
      publishing = false;
      await publisher;
      const last = n + 1;
      try {
        for (const { from, seqs } of feeds) {
          await until(() => seqs.at(-1) === last, 5000, `a feed from ${from} to reach seq ${last} (at ${seqs.at(-1)})`);
          assert.deepEqual(seqs, Array.from({ length: last - from - 1 }, (_, i) => from + 2 + i), `feed from ${from}`);
        }
      } finally {
        for (const { feed } of feeds) feed.close();
      }
    });
  });
}
