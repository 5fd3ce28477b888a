import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { HistoryRead } from '../../server/broker/broker.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { Position } from '../../src/protocol/position.js';
import { epochOf, eventOf, gapOf, helloOf, seqOf, takeEvents } from '../support/frames.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse, StreamEndedError, type SseStream } from '../support/sse-client.js';
import { WrappedBroker } from '../support/wrapped-broker.js';

type Resume = 'cursor' | 'last-event-id';

/**
 * Reads `channels` until `total` events arrived, reconnecting whenever the
 * server ends the stream, the way a client would: either with the cursor it
 * reached in the query, or (like a native EventSource) with the original URL
 * and the last id as Last-Event-ID.
 */
async function readAcrossReconnects(
  server: TestServer,
  channels: readonly string[],
  total: number,
  resume: Resume,
  onOpen: (stream: SseStream) => void,
): Promise<{ events: CometEvent[]; connections: number }> {
  const events: CometEvent[] = [];
  let cursor = '';
  let connections = 0;
  while (events.length < total) {
    // A native EventSource keeps the URL it started with and sends the last id as a header.
    const url = resume === 'cursor' && cursor ? server.sseUrl(channels, { cursor }) : server.sseUrl(channels);
    const headers: Record<string, string> = resume === 'last-event-id' && cursor ? { 'Last-Event-ID': cursor } : {};
    const stream = await openSse(url, { headers });
    connections += 1;
    assert.equal(stream.status, 200);
    const hello = helloOf(await stream.next());
    if (cursor) assert.equal(hello.cursor, cursor, 'the stream resumes exactly where the reader stopped');
    cursor = hello.cursor;
    onOpen(stream);
    try {
      while (events.length < total) {
        const frame = await stream.next(3000);
        assert.notEqual(frame.event, 'gap', `no gap expected: ${frame.data}`);
        if (frame.event === 'heartbeat') continue;
        events.push(eventOf(frame));
        cursor = frame.id!;
      }
    } catch (error) {
      if (!(error instanceof StreamEndedError)) throw error;
    } finally {
      stream.close();
    }
  }
  return { events, connections };
}

function assertExactlyOnceInOrder(events: readonly CometEvent[], channels: readonly string[], perChannel: number): void {
  for (const channel of channels) {
    const seqs = events.filter((e) => e.channel === channel).map((e) => seqOf(e.id));
    assert.equal(seqs.length, perChannel, `${channel}: ${seqs.length} events instead of ${perChannel}`);
    seqs.forEach((seq, index) => assert.equal(seq, index + 1, `${channel}: event #${index + 1} has seq ${seq}`));
    const data = events.filter((e) => e.channel === channel).map((e) => (e.data as { n: number }).n);
    assert.deepEqual(data, [...data].sort((x, y) => x - y), `${channel}: payloads out of order`);
  }
  assert.equal(new Set(events.map((e) => (e.data as { n: number }).n)).size, events.length, 'a payload arrived twice');
}

describe('resuming after the server drops the stream', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ heartbeatMs: 10_000, historySize: 1000 });
  });
  after(() => server.close());

  for (const resume of ['cursor', 'last-event-id'] as const) {
    it(`loses and doubles nothing over 600 events on two channels (${resume})`, async () => {
      const channels = [uniqueChannel(), uniqueChannel()];
      const total = 600;
      let opened = 0;
      let cuts = 0;
      const reading = readAcrossReconnects(server, channels, total, resume, () => (opened += 1));
      await until(() => opened === 1, 2000, 'the first stream');

      // Bursts of 10; every sixth burst ends with a cut, and the burst after a cut is
      // published before the reader is back, so it must come from history. Other bursts
      // wait for the reader, so most events also travel live.
      for (let burst = 0; burst < total / 10; burst += 1) {
        if (burst % 6 !== 5) await until(() => server.comet.stats().streams === 1, 2000, 'the reader to reconnect');
        for (let i = 0; i < 10; i += 1) {
          const n = burst * 10 + i;
          await server.comet.publish(channels[n % 2]!, { n });
        }
        await tick();
        if (burst % 6 === 4) cuts += server.comet.disconnect({ channel: channels[0]! });
      }
      const { events, connections } = await reading;
      assert.ok(cuts >= 8, `only ${cuts} streams were cut`);
      assert.equal(connections, cuts + 1);
      assertExactlyOnceInOrder(events, channels, total / 2);
    });
  }

  it('replays from a cursor given in the query, per channel', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const published: CometEvent[] = [];
    for (let n = 0; n < 6; n += 1) published.push(await server.comet.publish(n % 2 ? b : a, { n }));
    const epoch = epochOf(published[0]!.id);
    // a has 1..3, b has 1..3; the reader saw a up to 1 and b up to 3.
    const stream = await openSse(server.sseUrl([a, b], { cursor: `${a}=${epoch}-1,${b}=${epoch}-3` }));
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${a}=${epoch}-1,${b}=${epoch}-3`);
      const events = await takeEvents(stream, 2);
      assert.deepEqual(events.map((e) => [e.channel, e.id, e.cursor]), [
        [a, `${epoch}-2`, `${a}=${epoch}-2,${b}=${epoch}-3`],
        [a, `${epoch}-3`, `${a}=${epoch}-3,${b}=${epoch}-3`],
      ]);
      await server.comet.publish(b, 'live');
      assert.equal(eventOf(await stream.next()).data, 'live');
    } finally {
      stream.close();
    }
  });

  it('drops cursor entries for channels the stream does not carry', async () => {
    const channel = uniqueChannel();
    const { id } = await server.comet.publish(channel, 1);
    const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${id},elsewhere=${id}` }));
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${channel}=${id}`);
    } finally {
      stream.close();
    }
  });

  it('lets Last-Event-ID override the query cursor, channel by channel', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    for (let n = 0; n < 4; n += 1) await server.comet.publish(a, n);
    const { id } = await server.comet.publish(b, 'b1');
    const epoch = epochOf(id);
    // The header knows only a; b keeps the position from the query.
    const stream = await openSse(server.sseUrl([a, b], { cursor: `${a}=${epoch}-0,${b}=${epoch}-0` }), {
      headers: { 'Last-Event-ID': `${a}=${epoch}-3` },
    });
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${a}=${epoch}-3,${b}=${epoch}-0`);
      const events = await takeEvents(stream, 2);
      assert.deepEqual(events.map((e) => [e.channel, e.data]), [[a, 3], [b, 'b1']]);
    } finally {
      stream.close();
    }
  });
});

describe('gaps', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ historySize: 5 });
  });
  after(() => server.close());

  it('says history-exceeded when the reader fell behind the history, then replays what is held', async () => {
    const channel = uniqueChannel();
    const ids: string[] = [];
    for (let n = 1; n <= 12; n += 1) ids.push((await server.comet.publish(channel, n)).id);
    const epoch = epochOf(ids[0]!);
    const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${epoch}-2` }));
    try {
      const hello = helloOf(await stream.next());
      // History holds 8..12: the stream continues after 7, which the hello already says.
      assert.equal(hello.cursor, `${channel}=${epoch}-7`);
      assert.deepEqual(gapOf(await stream.next()), { channel, from: `${epoch}-2`, to: `${epoch}-7`, reason: 'history-exceeded' });
      const events = await takeEvents(stream, 5);
      assert.deepEqual(events.map((e) => e.data), [8, 9, 10, 11, 12]);
      assert.equal(events.at(-1)!.cursor, `${channel}=${epoch}-12`);
    } finally {
      stream.close();
    }
  });

  it('says nothing when the reader is exactly at the oldest event held', async () => {
    const channel = uniqueChannel();
    let last = '';
    for (let n = 1; n <= 12; n += 1) last = (await server.comet.publish(channel, n)).id;
    const epoch = epochOf(last);
    const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${epoch}-7` }));
    try {
      helloOf(await stream.next());
      const events = await takeEvents(stream, 5);
      assert.deepEqual(events.map((e) => e.data), [8, 9, 10, 11, 12]);
    } finally {
      stream.close();
    }
  });

  it('says epoch-changed for a cursor from another epoch, then replays what is held', async () => {
    const [channel, quiet] = [uniqueChannel(), uniqueChannel()];
    let last = '';
    for (let n = 1; n <= 3; n += 1) last = (await server.comet.publish(channel, n)).id;
    const epoch = epochOf(last);
    assert.notEqual(epoch, 'zzzz');
    const stream = await openSse(server.sseUrl([channel, quiet], { cursor: `${channel}=zzzz-40,${quiet}=zzzz-9` }));
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${channel}=${epoch}-0,${quiet}=${epoch}-0`);
      const gaps = [gapOf(await stream.next()), gapOf(await stream.next())];
      assert.deepEqual(gaps, [
        { channel, from: 'zzzz-40', to: `${epoch}-0`, reason: 'epoch-changed' },
        { channel: quiet, from: 'zzzz-9', to: `${epoch}-0`, reason: 'epoch-changed' },
      ]);
      const events = await takeEvents(stream, 3);
      assert.deepEqual(events.map((e) => e.data), [1, 2, 3]);
    } finally {
      stream.close();
    }
  });

  it('has no gap for a new reader, who simply starts at the head', async () => {
    const channel = uniqueChannel();
    for (let n = 1; n <= 12; n += 1) await server.comet.publish(channel, n);
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      await server.comet.publish(channel, 13);
      const frame = await stream.next();
      assert.equal(eventOf(frame).data, 13);
    } finally {
      stream.close();
    }
  });
});

/**
 * A broker whose history read can be held open, so a test can publish
 * exactly inside the window between subscribing and replaying.
 */
class GatedBroker extends WrappedBroker {
  gate: Promise<void> | undefined;
  /** 'before': the history snapshot is taken before the gate; 'after': once it opens. */
  snapshot: 'before' | 'after' = 'after';
  reading = 0;

  constructor() {
    super(1000);
  }

  override async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    this.reading += 1;
    if (this.snapshot === 'before') {
      const read = await this.inner.read(channel, after);
      await this.gate;
      return read;
    }
    await this.gate;
    return this.inner.read(channel, after);
  }
}

describe('the replay/live seam', () => {
  const broker = new GatedBroker();
  let server: TestServer;
  before(async () => {
    server = await startServer({ broker });
  });
  after(() => server.close());

  for (const snapshot of ['before', 'after'] as const) {
    it(`neither loses nor doubles events published while the history is read (snapshot ${snapshot} the window)`, async () => {
      const channel = uniqueChannel();
      for (let n = 1; n <= 5; n += 1) await server.comet.publish(channel, n);
      const epoch = epochOf((await server.comet.publish(channel, 6)).id);

      let open!: () => void;
      broker.gate = new Promise((resolve) => (open = resolve));
      broker.snapshot = snapshot;
      broker.reading = 0;
      const opening = openSse(server.sseUrl([channel], { cursor: `${channel}=${epoch}-2` }));
      await until(() => broker.reading === 1, 2000, 'the stream to start reading history');
      // Inside the window: the stream has subscribed but not replayed.
      for (let n = 7; n <= 10; n += 1) await server.comet.publish(channel, n);
      open();
      broker.gate = undefined;
      const stream = await opening;
      try {
        helloOf(await stream.next());
        await server.comet.publish(channel, 11);
        const events = await takeEvents(stream, 9);
        assert.deepEqual(events.map((e) => e.data), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert.deepEqual(events.map((e) => seqOf(e.id)), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
        // Nothing else queued: a doubled event would be waiting here.
        await server.comet.publish(channel, 'end');
        assert.equal(eventOf(await stream.next()).data, 'end');
      } finally {
        stream.close();
      }
    });
  }

  it('holds under a steady publisher while many readers open with cursors', async () => {
    const channel = uniqueChannel();
    const first = await server.comet.publish(channel, 0);
    const epoch = epochOf(first.id);
    let publishing = true;
    let n = 0;
    const publisher = (async () => {
      while (publishing && n < 2000) {
        n += 1;
        await server.comet.publish(channel, n);
        if (n % 5 === 0) await tick();
      }
    })();
    // Each reader starts from some earlier position while events keep landing.
    const readers = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        await tick();
        const from = Math.max(0, n - index * 3);
        return { from, stream: await openSse(server.sseUrl([channel], { cursor: `${channel}=${epoch}-${from + 1}` })) };
      }),
    );
    await until(() => n >= 300, 3000, 'the publisher');
    publishing = false;
    await publisher;
    try {
      for (const { from, stream } of readers) {
        helloOf(await stream.next());
        const expected = n - from;
        const events = await takeEvents(stream, expected);
        // seq k carries payload k - 1 (payload 0 was seq 1).
        events.forEach((event, index) => assert.equal(seqOf(event.id), from + 2 + index));
        assert.equal(stream.pending, 0, 'an event arrived twice');
      }
    } finally {
      for (const { stream } of readers) stream.close();
    }
  });
});
