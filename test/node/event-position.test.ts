/**
 * An event's id is read once where the event enters the server process, or
 * never where the process mints it; its position travels with it through
 * subscriptions, history reads, replays, the fan-out and the feeds. The
 * position rides beside the event, not in it: what is serialized and
 * compared is the event as published.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CometEvent, PositionedEvent } from '../../src/protocol/messages.js';
import type { Broker, HistoryRead, PublishInput } from '../../server/broker/broker.js';
import { eventJson } from '../../server/broker/event-json.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { Fanout, type StreamWriter } from '../../server/stream/fanout.js';
import { openFeed } from '../../server/stream/feed.js';
import { sseFormat } from '../../server/stream/sse-format.js';
import type { StreamFormat } from '../../server/stream/stream-format.js';

/**
 * A broker of an embedder's own (`Broker` is public), whose events count
 * how often their id is read: such an event comes without a position, so
 * the server must parse its id once, and only once, however many readers.
 */
class CountingBroker implements Broker {
  readonly listeners = new Map<string, Set<(event: CometEvent) => void>>();
  idReads = 0;

  event(channel: string, id: string): CometEvent {
    const broker = this;
    return {
      get id() {
        broker.idReads += 1;
        return id;
      },
      channel,
      type: 'message',
      data: null,
      time: 1,
    };
  }

  emit(event: CometEvent): void {
    for (const listener of this.listeners.get(event.channel) ?? []) listener(event);
  }

  async publish(_input: PublishInput): Promise<CometEvent> {
    throw new Error('not used');
  }

  async read(_channel: string, _after: unknown): Promise<HistoryRead> {
    return { events: [], head: { epoch: 'own', seq: 0 } };
  }

  async recent(): Promise<readonly CometEvent[]> {
    return [];
  }

  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {}
}

/** Writes only the cursor after each event, so the event's JSON (which names the id) is never built. */
const cursorOnly: StreamFormat = { ...sseFormat, event: (_event, cursor) => `${cursor}\n` };

describe('event positions on the server', () => {
  it('mints the position in the memory broker and hides it from what is serialized and compared', async () => {
    const broker = new MemoryBroker({ epoch: 'pos' });
    try {
      const seen: CometEvent[] = [];
      broker.subscribe('room', (event) => seen.push(event));
      const published = await broker.publish({ channel: 'room', type: 'message', data: { text: 'hi' } });
      assert.deepEqual((published as PositionedEvent).position, { epoch: 'pos', seq: 1 });
      assert.equal(seen[0], published, 'subscribers get the same event, position and all');
      const [held] = (await broker.read('room', { epoch: 'pos', seq: 0 })).events;
      assert.deepEqual((held as PositionedEvent).position, { epoch: 'pos', seq: 1 });
      // The wire and server code see the event as published: no `position` field.
      assert.deepEqual(Object.keys(published), ['id', 'channel', 'type', 'data', 'time']);
      assert.equal(eventJson(published), `{"id":"pos-1","channel":"room","type":"message","data":{"text":"hi"},"time":${published.time}}`);
      assert.equal(JSON.stringify(published), eventJson(published));
    } finally {
      await broker.close();
    }
  });

  it("parses the id of a custom broker's event once for every feed and stream of the process", async () => {
    const broker = new CountingBroker();
    const delivered: string[] = [];
    const sink = { start() {}, gap() {}, event: (_event: CometEvent, cursor: string) => delivered.push(cursor) };
    const feeds = await Promise.all(Array.from({ length: 20 }, () => openFeed(broker, ['room'], new Map([['room', { epoch: 'own', seq: 0 }]]), sink)));

    const fanout = new Fanout(broker, { heartbeatMs: 3_600_000 });
    const written: string[] = [];
    const writer: StreamWriter = { closed: false, write: (chunk) => written.push(String(chunk)), close() {} };
    // Ten groups of two streams: each group steps a cursor of its own.
    const members = [];
    for (let i = 0; i < 20; i += 1) {
      const { membership, started } = fanout.join(['room', `own-${i % 10}`], new Map([['room', { epoch: 'own', seq: 0 }]]), cursorOnly, writer, {});
      await started;
      members.push(membership);
    }
    written.length = 0;
    try {
      broker.emit(broker.event('room', 'own-1'));
      await new Promise<void>((resolve) => setImmediate(resolve));

      assert.equal(delivered.length, 20, 'every feed got the event');
      assert.ok(delivered.every((cursor) => cursor === 'room=own-1'), `feeds' cursors: ${delivered.join(' ')}`);
      assert.equal(written.filter((chunk) => chunk.includes('room=own-1')).length, 20, 'every stream got the event');
      assert.equal(broker.idReads, 1, `the id was read ${broker.idReads} times`);
    } finally {
      for (const feed of feeds) feed.close();
      for (const member of members) fanout.leave(member);
    }
  });

  it("drops a custom broker's event whose id names no position, for feeds and streams alike", async () => {
    const broker = new CountingBroker();
    const delivered: string[] = [];
    const feed = await openFeed(broker, ['room'], new Map(), { start() {}, gap() {}, event: (_event, cursor) => delivered.push(cursor) });
    const fanout = new Fanout(broker, { heartbeatMs: 3_600_000 });
    const written: string[] = [];
    const { membership, started } = fanout.join(['room'], new Map(), cursorOnly, { closed: false, write: (chunk) => written.push(String(chunk)), close() {} }, {});
    await started;
    written.length = 0;
    try {
      broker.emit(broker.event('room', 'not a position'));
      broker.emit(broker.event('room', 'own-1'));
      await new Promise<void>((resolve) => setImmediate(resolve));

      assert.deepEqual(delivered, ['room=own-1']);
      assert.deepEqual(written, ['room=own-1\n']);
    } finally {
      feed.close();
      fanout.leave(membership);
    }
  });
});
