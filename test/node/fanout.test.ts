/**
 * The shared fan-out: streams of the same channels get the very same frames
 * (ids carrying the whole cursor), however they joined — before, during or
 * after traffic, from a cursor or from now — and a native EventSource
 * resuming from any of those ids with Last-Event-ID misses and doubles
 * nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { parseCursor } from '../../src/protocol/cursor.js';
import { helloOf, seqOf, takeEvents } from '../support/frames.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse, type SseStream } from '../support/sse-client.js';

describe('fan-out', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ heartbeatMs: 60_000 });
  });
  after(() => server.close());

  it('gives every stream of a channel set the same frames, whenever it joined', async () => {
    const [a, b] = [uniqueChannel('fan'), uniqueChannel('fan')];
    const streams: SseStream[] = [];
    const open = async (params: Record<string, string> = {}): Promise<SseStream> => {
      const stream = await openSse(server.sseUrl([a, b], params));
      streams.push(stream);
      helloOf(await stream.next());
      return stream;
    };
    try {
      const early = await open();
      const sent: CometEvent[] = [await server.comet.publish(a, 1), await server.comet.publish(b, 2)];
      // Opened while events are published in the same turn: its replay and the live path meet.
      const racing = openSse(server.sseUrl([a, b], { cursor: `${a}=${sent[0]!.id.replace(/-\d+$/, '-0')}` }));
      sent.push(...(await Promise.all([server.comet.publish(a, 3), server.comet.publish(b, 4), server.comet.publish(a, 5)])));
      const midway = await racing;
      streams.push(midway);
      const midwayStart = helloOf(await midway.next()).cursor;
      const late = await open();
      // A burst in one turn, seen by all three.
      const burst = await Promise.all([server.comet.publish(b, 6), server.comet.publish(a, 7), server.comet.publish(b, 8)]);
      sent.push(...burst);

      const all = await takeEvents(early, sent.length);
      assert.deepEqual(all.map((e) => e.id + e.channel), sent.map((e) => e.id + e.channel));
      // Every a event (from its cursor) and every b event after b's head when it opened, in order.
      const bStart = parseCursor(midwayStart)!.get(b)!.seq;
      const expected = all.filter((e) => e.channel === a || seqOf(e.id) > bStart);
      const fromStart = await takeEvents(midway, expected.length);
      assert.deepEqual(fromStart.map((e) => e.id + e.channel), expected.map((e) => e.id + e.channel));
      // Once live, the same frames as the others: ids equal to theirs, byte for byte.
      const lateOnes = await takeEvents(late, burst.length);
      assert.deepEqual(lateOnes.map((e) => e.cursor), all.slice(-burst.length).map((e) => e.cursor));
      assert.deepEqual(fromStart.slice(-burst.length).map((e) => e.cursor), all.slice(-burst.length).map((e) => e.cursor));
      for (const e of all) assert.match(e.cursor, new RegExp(`^${a}=[a-z0-9]+-\\d+,${b}=[a-z0-9]+-\\d+$`));

      // Last-Event-ID from any frame resumes with exactly the events after it.
      for (const index of [0, 3, all.length - 2]) {
        const resumed = await openSse(server.sseUrl([a, b]), { headers: { 'Last-Event-ID': all[index]!.cursor } });
        streams.push(resumed);
        assert.equal(helloOf(await resumed.next()).cursor, all[index]!.cursor);
        const rest = await takeEvents(resumed, all.length - index - 1);
        assert.deepEqual(rest.map((e) => e.id + e.channel).sort(), all.slice(index + 1).map((e) => e.id + e.channel).sort());
      }
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('beats the streams of different channel sets from the one timer', async () => {
    const quick = await startServer({ heartbeatMs: 40 });
    try {
      const one = await openSse(quick.sseUrl([uniqueChannel('fan')]));
      const two = await openSse(quick.sseUrl([uniqueChannel('fan'), uniqueChannel('fan')]));
      for (const stream of [one, two]) {
        helloOf(await stream.next());
        assert.equal((await stream.next(1000)).event, 'heartbeat');
        assert.equal((await stream.next(1000)).event, 'heartbeat');
      }
      one.close();
      two.close();
    } finally {
      await quick.close();
    }
  });
});
