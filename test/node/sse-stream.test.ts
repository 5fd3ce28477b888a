import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { epochOf, eventOf, heartbeatOf, helloOf, takeEvents } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse, StreamEndedError } from '../support/sse-client.js';

describe('SSE stream', () => {
  let server: TestServer;
  let epoch: string;
  before(async () => {
    server = await startServer({ heartbeatMs: 10_000 });
    // Every channel of a memory broker shares the process epoch: learn it once.
    epoch = epochOf((await server.comet.publish(uniqueChannel(), null)).id);
  });
  after(() => server.close());

  it('answers with an event stream that proxies must not buffer', async () => {
    const stream = await openSse(server.sseUrl([uniqueChannel()]));
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.headers['content-type'] ?? '', /^text\/event-stream/);
      assert.match(stream.headers['cache-control'] ?? '', /no-cache/);
      assert.match(stream.headers['cache-control'] ?? '', /no-transform/);
      assert.equal(stream.headers['x-accel-buffering'], 'no');
      assert.equal(stream.headers['content-length'], undefined);
    } finally {
      stream.close();
    }
  });

  it('starts with a hello that carries version, clock, heartbeat, cursor and transport', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    await server.comet.publish(a, 'before');
    await server.comet.publish(a, 'before');
    const before = Date.now();
    const stream = await openSse(server.sseUrl([a, b]));
    try {
      const frame = await stream.next();
      const hello = helloOf(frame);
      assert.equal(hello.v, PROTOCOL_VERSION);
      assert.equal(hello.transport, 'sse');
      assert.equal(hello.heartbeat, 10_000);
      assert.ok(hello.time >= before - 5 && hello.time <= Date.now() + 5, `hello.time ${hello.time} is not the server clock`);
      // A new reader starts at each channel's head, including channels never written to.
      assert.equal(hello.cursor, `${a}=${epoch}-2,${b}=${epoch}-0`);
      // The hello carries the cursor as its id too, so a native EventSource can resume before any event.
      assert.equal(frame.id, hello.cursor);
      // A short retry keeps the browser's own reconnect quick after a server-side cut, drawn per
      // stream within 1-3 s so the clients of a process that went down do not all return at once.
      assert.ok(frame.retry !== undefined && frame.retry >= 1000 && frame.retry < 3000, `retry ${frame.retry} is not within 1-3 s`);
      assert.equal(stream.pending, 0, 'history before the first connection is not replayed to a new reader');
    } finally {
      stream.close();
    }
  });

  it('delivers a published event with its envelope and the stream cursor as id', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      const published = await server.comet.publish(channel, { text: 'héllo\nworld', n: 1 }, 'chat.message');
      const frame = await stream.next();
      const event = eventOf(frame);
      assert.deepEqual(event, published);
      assert.equal(event.type, 'chat.message');
      assert.deepEqual(event.data, { text: 'héllo\nworld', n: 1 });
      assert.equal(event.id, `${epoch}-1`);
      assert.equal(frame.id, `${channel}=${epoch}-1`);
    } finally {
      stream.close();
    }
  });

  it('carries two channels on one stream, each event moving only its own position', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const other = uniqueChannel();
    const stream = await openSse(server.sseUrl([a, b]));
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${a}=${epoch}-0,${b}=${epoch}-0`);
      await server.comet.publish(a, 1);
      await server.comet.publish(other, 'not subscribed');
      await server.comet.publish(b, 2);
      await server.comet.publish(a, 3);
      const events = await takeEvents(stream, 3);
      assert.deepEqual(
        events.map((e) => [e.channel, e.data, e.cursor]),
        [
          [a, 1, `${a}=${epoch}-1,${b}=${epoch}-0`],
          [b, 2, `${a}=${epoch}-1,${b}=${epoch}-1`],
          [a, 3, `${a}=${epoch}-2,${b}=${epoch}-1`],
        ],
      );
    } finally {
      stream.close();
    }
  });

  it('treats a channel named twice as one', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel, channel]));
    try {
      assert.equal(helloOf(await stream.next()).cursor, `${channel}=${epoch}-0`);
      await server.comet.publish(channel, 'once');
      await server.comet.publish(channel, 'twice');
      const events = await takeEvents(stream, 2);
      assert.deepEqual(events.map((e) => e.data), ['once', 'twice']);
    } finally {
      stream.close();
    }
  });

  it('fans one event out to every stream of its channel', async () => {
    const channel = uniqueChannel();
    const streams = await Promise.all([1, 2, 3].map(() => openSse(server.sseUrl([channel]))));
    try {
      for (const stream of streams) helloOf(await stream.next());
      await server.comet.publish(channel, 'all');
      for (const stream of streams) assert.equal(eventOf(await stream.next()).data, 'all');
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('counts open streams and forgets a stream when the client hangs up', async () => {
    // Streams closed by earlier tests are released asynchronously: start from a settled count.
    await until(() => server.comet.stats().streams === 0, 1000, 'earlier streams to be released');
    const base = 0;
    const stream = await openSse(server.sseUrl([uniqueChannel()]));
    helloOf(await stream.next());
    assert.equal(server.comet.stats().streams, base + 1);
    assert.equal(server.comet.stats().byTransport.sse, base + 1);
    stream.close();
    await until(() => server.comet.stats().streams === base, 1000, 'the stream to be released');
  });

  it('disconnect({ channel }) ends only the streams carrying that channel', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const onA = await openSse(server.sseUrl([a]));
    const onAB = await openSse(server.sseUrl([b, a]));
    const onB = await openSse(server.sseUrl([b]));
    try {
      for (const stream of [onA, onAB, onB]) helloOf(await stream.next());
      assert.equal(server.comet.disconnect({ channel: a }), 2);
      await onA.done;
      await onAB.done;
      await assert.rejects(onA.next(), StreamEndedError);
      assert.equal(onB.ended, false);
      await server.comet.publish(b, 'still here');
      assert.equal(eventOf(await onB.next()).data, 'still here');
    } finally {
      for (const stream of [onA, onAB, onB]) stream.close();
    }
  });

  it('serves /health with the stream counts', async () => {
    const res = await http(`${server.base}/health`);
    assert.equal(res.status, 200);
    const body = res.json<{ ok: boolean; streams: number; byTransport: Record<string, number> }>();
    assert.equal(body.ok, true);
    assert.equal(typeof body.streams, 'number');
    assert.equal(typeof body.byTransport.sse, 'number');
  });
});

describe('heartbeats', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ heartbeatMs: 50 });
  });
  after(() => server.close());

  it('arrive every heartbeatMs with the server clock', async () => {
    const stream = await openSse(server.sseUrl([uniqueChannel()]));
    try {
      const hello = helloOf(await stream.next());
      assert.equal(hello.heartbeat, 50);
      const beats: Array<{ time: number; at: number; id: string | undefined }> = [];
      for (let i = 0; i < 3; i += 1) {
        const frame = await stream.next(1000);
        beats.push({ ...heartbeatOf(frame), at: Date.now(), id: frame.id });
      }
      // Server clocks on both ends, so client-side scheduling delays do not count. Timers never
      // fire early; the upper bounds only catch a period that is plainly wrong, not a busy CI box.
      const first = beats[0]!.time - hello.time;
      assert.ok(first >= 45 && first < 1000, `first heartbeat ${first} ms after the hello`);
      for (let i = 1; i < beats.length; i += 1) {
        const spacing = beats[i]!.time - beats[i - 1]!.time;
        assert.ok(spacing >= 45 && spacing < 1000, `heartbeat spacing ${spacing} ms`);
      }
      for (const beat of beats) {
        assert.ok(Math.abs(beat.time - beat.at) < 500, 'heartbeat time is the server clock');
        // A heartbeat does not move the cursor, so it has no id to override Last-Event-ID with.
        assert.equal(beat.id, undefined);
      }
    } finally {
      stream.close();
    }
  });

  it('stop when the stream ends', async () => {
    // The heartbeat interval is the only timer a stream owns: a leak shows as one more Timeout.
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await until(() => server.comet.stats().streams === 0, 1000, 'earlier streams to be released');
    const channel = uniqueChannel();
    const idle = timers();
    const stream = await openSse(server.sseUrl([channel]));
    helloOf(await stream.next());
    assert.equal(timers(), idle + 1);
    server.comet.disconnect({ channel });
    await stream.done;
    assert.equal(timers(), idle);
  });
});

describe('slow readers', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxBufferedBytes: 64 * 1024 });
  });
  after(() => server.close());

  it('are cut once more than maxBufferedBytes wait unsent, and free their slot', async () => {
    const channel = uniqueChannel();
    // A paused client never drains the socket; one event far larger than the kernel's socket
    // buffers leaves most of it queued in Node, over the limit, whatever the timing.
    const stream = await openSse(server.sseUrl([channel]), { paused: true });
    await until(() => server.comet.stats().streams === 1, 1000, 'the stream to open');
    await server.comet.publish(channel, 'x'.repeat(16 * 1024 * 1024));
    await until(() => server.comet.stats().streams === 0, 1000, 'the slow stream to be cut');
    // Published after the cut: must not reach the cut stream.
    await server.comet.publish(channel, 'after');
    stream.response.resume();
    helloOf(await stream.next());
    const big = eventOf(await stream.next(5000));
    assert.equal((big.data as string).length, 16 * 1024 * 1024);
    await stream.done;
    assert.equal(stream.pending, 0);
  });

  it('are not cut while they keep up', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      // 400 KiB in total, over six times the limit, but never more than 8 KiB waiting at once.
      for (let i = 0; i < 50; i += 1) {
        await server.comet.publish(channel, 'y'.repeat(8 * 1024));
        assert.equal((eventOf(await stream.next()).data as string).length, 8 * 1024);
      }
      assert.equal(stream.ended, false);
      assert.equal(server.comet.stats().streams, 1);
    } finally {
      stream.close();
    }
  });
});
