/**
 * Through a real Pushpin: the proxy holds the connections, the server
 * answers with GRIP instructions and publishes to it. Every transport
 * delivers, resumes from a cursor, and a publish the proxy never got is
 * filled from history (prev-id mismatch → Grip-Link), in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { checkEvent, checkHeartbeat, checkHello } from '../../src/protocol/validate.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '../../server/auth/token.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import type { PollResponse } from '../../server/routes/poll.js';
import { eventOf, heartbeatOf, helloOf, takeEvents } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { openIframe } from '../support/iframe-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { freePort, pushpinSkipReason, startPushpin, waitForHolds, type Pushpin } from '../support/pushpin.js';
import { openSse } from '../support/sse-client.js';

const skip = pushpinSkipReason();
const PAGE = 'http://page.example';
const HEARTBEAT_MS = 400;
const TOKEN_SECRET = 'pushpin-test-token-secret';
/** Long enough for the proxy's hold to start under load before the token ends. */
const TOKEN_LIFETIME_S = 12;

describe('through Pushpin (GRIP)', { skip }, () => {
  let store: MemoryBroker;
  let server: TestServer;
  let pushpin: Pushpin;
  /** Base URL of the cometkit endpoints as clients see them: through the proxy. */
  let base: string;

  let healthy = false;
  before(async () => {
    store = new MemoryBroker();
    // The proxy is told the server's port before the server listens on it.
    const backendPort = await freePort();
    pushpin = await startPushpin({ backendPort });
    const grip = { controlUrl: pushpin.controlUrl, signingKey: pushpin.signingKey };
    // Tokens for the expiry test; every other test reads public pp.* channels.
    server = await startServer(
      { broker: store, heartbeatMs: HEARTBEAT_MS, allowedOrigins: [PAGE], grip, tokenSecret: TOKEN_SECRET, tokenClockToleranceSeconds: 0, publicChannels: ['pp.*'] },
      undefined,
      backendPort,
    );
    base = `${pushpin.origin}${server.comet.options.basePath}`;
    // Ready once a request makes the round trip through the proxy to the server.
    for (let tries = 0; !healthy && tries < 100; tries++) {
      healthy = await http(`${base}/health`).then((r) => r.status === 200, () => false);
    }
    assert.ok(healthy, `the proxy never reached the server:\n${pushpin.logs()}`);
    // Relaying plain requests is not holding streams yet: wait for a held one.
    await waitForHolds(`${base}/sse?ch=${uniqueChannel('pp.ready')}`).catch((error: Error) => assert.fail(`${error.message}\n${pushpin.logs()}`));
  });

  after(async () => {
    await server?.close();
    await pushpin?.stop();
  });

  /** Publishes until a reader through the proxy has it: the proxy learns a subscription only after its hold starts. */
  const publish = (channel: string, data: unknown): Promise<CometEvent> => server.comet.publish(channel, data);

  it('SSE: hello, live events in order across channels, heartbeats stamped by the server', async () => {
    const [a, b] = [uniqueChannel('pp'), uniqueChannel('pp')];
    const stream = await openSse(`${base}/sse?ch=${a}&ch=${b}`);
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      const hello = helloOf(await stream.next(5000));
      assert.equal(hello.transport, 'sse');
      assert.match(hello.cursor, new RegExp(`^${a}=[a-z0-9]+-0,${b}=[a-z0-9]+-0$`));
      await holdStarted(() => publish(a, { warm: true }), stream);
      const sent = [await publish(a, 1), await publish(b, 2), await publish(a, 3)];
      const got = await takeEvents(stream, 3, 5000);
      assert.deepEqual(got.map((e) => e.id + e.channel), sent.map((e) => e.id + e.channel));
      // An item names its own channel's position: every reader of the channel gets the same bytes.
      assert.equal(got[1]!.cursor, `${b}=${sent[1]!.id}`);
      const beat = heartbeatOf(await stream.nextOf('heartbeat', HEARTBEAT_MS * 6));
      assert.ok(Math.abs(beat.time - Date.now()) < 5000, 'the beat carries the server clock');
    } finally {
      stream.close();
    }
  });

  it('SSE: resumes from a cursor with the replay from the server, then live from the proxy', async () => {
    const channel = uniqueChannel('pp');
    const first = await openSse(`${base}/sse?ch=${channel}`);
    const hello = helloOf(await first.next(5000));
    await holdStarted(() => publish(channel, 'warm'), first);
    const seen = await publish(channel, 'seen');
    assert.equal((await takeEvents(first, 1, 5000))[0]!.id, seen.id);
    first.close();
    const missed = [await publish(channel, 'missed 1'), await publish(channel, 'missed 2')];

    // As a native EventSource resumes: the same URL, Last-Event-ID from the last frame.
    const second = await openSse(`${base}/sse?ch=${channel}`, { headers: { 'Last-Event-ID': first.lastEventId } });
    try {
      const resumed = helloOf(await second.next(5000));
      assert.equal(resumed.cursor, `${channel}=${seen.id}`);
      assert.notEqual(resumed.cursor, hello.cursor);
      const replayed = await takeEvents(second, 2, 5000);
      assert.deepEqual(replayed.map((e) => e.id), missed.map((e) => e.id));
      const live = await publish(channel, 'live');
      assert.equal((await takeEvents(second, 1, 5000))[0]!.id, live.id);
    } finally {
      second.close();
    }
  });

  it('SSE: an event the proxy never got is filled from history before the next one, nothing doubled', async () => {
    const channel = uniqueChannel('pp');
    const stream = await openSse(`${base}/sse?ch=${channel}`);
    try {
      helloOf(await stream.next(5000));
      await holdStarted(() => publish(channel, 'warm'), stream);
      // Stored but never published to the proxy: the next item's prev-id does not match.
      const lost = await store.publish({ channel, type: 'message', data: 'lost' });
      const next = await publish(channel, 'next');
      const got = await takeEvents(stream, 2, 5000);
      assert.deepEqual(got.map((e) => e.id), [lost.id, next.id]);
      // The item that revealed the gap is not written twice: the very next event follows it.
      // (Pushpin re-subscribes after a recovery and may fill this one by recovery too, seconds later.)
      const after = await publish(channel, 'after');
      assert.equal((await takeEvents(stream, 1, 8000))[0]!.id, after.id);
    } finally {
      stream.close();
    }
  });

  it('iframe: hello, live events, resume from the last cursor', async () => {
    const [a, b] = [uniqueChannel('pp'), uniqueChannel('pp')];
    const url = (cursor?: string): string =>
      `${base}/iframe?ch=${a}&ch=${b}&origin=${encodeURIComponent(PAGE)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const first = await openIframe(url());
    assert.equal(first.status, 200);
    await until(() => first.frames.length > 0, 5000, 'hello');
    const hello = checkHello(first.frames[0]!.frame);
    if (typeof hello === 'string') assert.fail(hello);
    const events = (): CometEvent[] => first.frames.filter((f) => f.kind === 'event').map((f) => checkEvent(f.frame) as CometEvent);
    await holdStartedBy(() => publish(a, 'warm'), (sent) => events().some((e) => e.id === sent.id && e.channel === a));
    const warm = events().length;
    const sent = [await publish(a, 1), await publish(b, 2)];
    await until(() => events().length >= warm + 2, 5000, 'two events');
    assert.deepEqual(events().slice(warm).map((e) => e.id + e.channel), sent.map((e) => e.id + e.channel));
    await until(() => first.frames.some((f) => f.kind === 'heartbeat'), HEARTBEAT_MS * 6, 'a heartbeat');
    assert.equal(typeof checkHeartbeat(first.frames.find((f) => f.kind === 'heartbeat')!.frame), 'object');
    first.close();

    // The client's cursor: the hello's, with each frame's positions laid over it.
    const positions = new Map(hello.cursor.split(',').map((entry) => entry.split('=') as [string, string]));
    for (const frame of first.frames) {
      for (const entry of frame.cursor?.split(',') ?? []) positions.set(...(entry.split('=') as [string, string]));
    }
    const cursor = [...positions].map(([channel, id]) => `${channel}=${id}`).join(',');
    const missed = [await publish(b, 'missed'), await publish(a, 'missed')];
    const second = await openIframe(url(cursor));
    try {
      await until(() => second.frames.filter((f) => f.kind === 'event').length >= 2, 5000, 'the replay');
      const replayed = second.frames.filter((f) => f.kind === 'event').map((f) => checkEvent(f.frame) as CometEvent);
      // Replayed per channel in the request's order; each channel in order, nothing doubled.
      assert.deepEqual(replayed.map((e) => e.id + e.channel).sort(), missed.map((e) => e.id + e.channel).sort());
    } finally {
      second.close();
    }
  });

  it('long-poll: a held poll is answered when an event is published, with the whole cursor', async () => {
    const [a, b] = [uniqueChannel('pp'), uniqueChannel('pp')];
    const poll = async (cursor: string, wait: number): Promise<PollResponse> => {
      const result = await http(`${base}/poll?ch=${a}&ch=${b}&wait=${wait}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(result.status, 200, result.text);
      return result.json<PollResponse>();
    };
    const first = await poll('', 0);
    assert.equal(first.hello.transport, 'long-poll');
    assert.equal(first.events.length, 0);

    // Published until the held poll has it: the hold starts once the proxy got the server's answer.
    const held = poll(first.cursor, 10_000);
    let answer: PollResponse | undefined;
    void held.then((body) => (answer = body));
    const sent: CometEvent[] = [];
    await until(() => {
      if (answer) return true;
      if (sent.length < 20) void publish(b, sent.length).then((event) => sent.push(event));
      return false;
    }, 8000, 'the held poll to be answered');
    await until(() => sent.length > 0, 2000, 'the publish to return');
    assert.ok(answer!.events.length > 0);
    assert.equal(answer!.events[0]!.id, sent[0]!.id);
    // The whole cursor, not one channel's: the next poll resumes every channel.
    assert.match(answer!.cursor, new RegExp(`^${a}=[a-z0-9]+-0,${b}=${answer!.events.at(-1)!.id}$`));

    // Resuming from that cursor after a pause: what was published meanwhile, exactly once.
    await until(() => sent.length >= Math.min(20, sent.length) && answer !== undefined, 2000, 'publishes settled');
    const done = new Set(answer!.events.map((e) => e.id));
    const missed = await publish(a, 'missed');
    const next = await poll(answer!.cursor, 10_000);
    const ids = next.events.map((e) => e.id + e.channel);
    assert.ok(ids.includes(missed.id + missed.channel), 'the event published between polls');
    assert.ok(next.events.every((e) => !(e.channel === b && done.has(e.id))), 'nothing doubled');
  });

  it('SSE and iframe: the proxy ends a stream it holds with token-expired when the token ends, and writes nothing published later', async () => {
    const channel = uniqueChannel('private');
    const exp = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_S;
    const token = await signToken({ sub: 'ada', channels: [channel], exp }, TOKEN_SECRET);
    const stream = await openSse(`${base}/sse?ch=${channel}&token=${token}`);
    const doc = await openIframe(`${base}/iframe?${new URLSearchParams({ ch: channel, token, origin: PAGE })}`);
    try {
      assert.equal(stream.status, 200);
      helloOf(await stream.next(5000));
      await holdStarted(() => publish(channel, { warm: true }), stream);
      await holdStartedBy(() => publish(channel, { warm: true }), (event) => doc.frames.some((frame) => (frame.frame as CometEvent | undefined)?.id === event.id));
      assert.ok(Date.now() < exp * 1000, 'the holds started before the token ended (raise TOKEN_LIFETIME_S on a slower machine)');
      while (Date.now() < exp * 1000) await sleep(Math.max(1, exp * 1000 - Date.now()));
      const late = await publish(channel, { n: 'after the token ended' });
      const rest: Array<{ event: string; data: string }> = [];
      for (;;) {
        try {
          rest.push(await stream.next(10_000));
        } catch {
          break;
        }
      }
      assert.equal(stream.ended, true, 'the stream ended');
      assert.ok(!rest.some((frame) => frame.data.includes(late.id)), `the late event was written: ${JSON.stringify(rest)}`);
      assert.equal(rest.filter((frame) => frame.event !== 'heartbeat').at(-1)?.event, 'token-expired', JSON.stringify(rest));
      await doc.ended;
      assert.ok(!doc.text().includes(late.id), 'the late event was posted');
      assert.deepEqual(doc.frames.filter((frame) => frame.kind !== 'heartbeat').at(-1)?.frame, { status: 401, code: 'token-expired', message: 'The token has expired; fetch a new one.' });
    } finally {
      stream.close();
      doc.close();
    }
  });

  it('answers requests that did not come through the proxy itself, as a plain server', async () => {
    const channel = uniqueChannel('pp');
    const stream = await openSse(server.sseUrl([channel]));
    try {
      assert.equal(stream.headers['grip-hold'], undefined);
      helloOf(await stream.next(2000));
      const event = await publish(channel, 'direct');
      assert.equal(eventOf(await stream.nextOf('message', 2000)).id, event.id);
    } finally {
      stream.close();
    }
    // A forged Grip-Sig does not get GRIP instructions.
    const forged = await openSse(server.sseUrl([channel]), { headers: { 'Grip-Sig': 'a.b.c' } });
    try {
      assert.equal(forged.headers['grip-hold'], undefined);
    } finally {
      forged.close();
    }
  });

  // Last: the server drains for good.
  it('drain: the proxy\'s streams whose token this process minds are told to come back; the others stay open and live', async () => {
    const privateChannel = uniqueChannel('private');
    const publicChannel = uniqueChannel('pp');
    const token = await signToken({ sub: 'ada', channels: [privateChannel], exp: Math.floor(Date.now() / 1000) + 600 }, TOKEN_SECRET);
    const minded = await openSse(`${base}/sse?ch=${privateChannel}&token=${token}`);
    const anonymous = await openSse(`${base}/sse?ch=${publicChannel}`);
    try {
      helloOf(await minded.next(5000));
      helloOf(await anonymous.next(5000));
      await holdStarted(() => publish(privateChannel, { warm: true }), minded);
      await holdStarted(() => publish(publicChannel, { warm: true }), anonymous);
      await server.comet.drain({ windowMs: 3000 });
      const rest: Array<{ event: string; data: string; retry?: number | undefined }> = [];
      for (;;) {
        try {
          rest.push(await minded.next(10_000));
        } catch {
          break;
        }
      }
      assert.equal(minded.ended, true, 'the minded stream ended');
      const last = rest.filter((frame) => frame.event !== 'heartbeat').at(-1);
      assert.equal(last?.event, 'reconnect', JSON.stringify(rest));
      const reconnect = JSON.parse(last!.data) as { after: number; reason: string };
      assert.equal(reconnect.reason, 'drain');
      assert.ok(reconnect.after >= 0 && reconnect.after < 3000);
      assert.equal(last!.retry, reconnect.after);
      // The proxy holds the other one: it outlives this process, and still gets what is published.
      const live = await publish(publicChannel, 'after the drain');
      assert.equal(eventOf(await anonymous.nextOf('message', 5000)).id, live.id);
      assert.equal(anonymous.ended, false);
    } finally {
      minded.close();
      anonymous.close();
    }
  });
});

/**
 * The proxy subscribes a connection once the server's answer reached it,
 * a moment after the client saw the hello. Publishes (bounded) until one
 * arrives, and returns once the last one sent arrived: those sent before
 * the hold come first, filled from history.
 */
async function holdStarted(send: () => Promise<CometEvent>, stream: { next(timeoutMs?: number): Promise<{ event: string; data: string }> }): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const sent = await send();
    // Heartbeats keep coming: the attempt ends by its deadline, not by a quiet stream.
    const deadline = Date.now() + 1500;
    try {
      for (;;) {
        const frame = await stream.next(Math.max(1, deadline - Date.now()));
        if (frame.event === 'message' && (JSON.parse(frame.data) as CometEvent).id === sent.id) return;
      }
    } catch {
      // Not yet: the hold had not started, or the gap is being filled.
    }
  }
  throw new Error('the proxy never delivered a live event');
}

async function holdStartedBy(send: () => Promise<CometEvent>, arrived: (event: CometEvent) => boolean): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const sent = await send();
    try {
      await until(() => arrived(sent), 1500, 'a live event');
      return;
    } catch {
      // Not yet.
    }
  }
  throw new Error('the proxy never delivered a live event');
}
