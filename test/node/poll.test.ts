import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { checkEvent, checkGap, checkHello } from '../../src/protocol/validate.js';
import { signToken } from '../../server/auth/token.js';
import type { HistoryRead } from '../../server/broker/broker.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import type { Position } from '../../src/protocol/position.js';
import { POLL_MAX_EVENTS, type PollResponse } from '../../server/routes/poll.js';
import { http } from '../support/http-client.js';
import { openSse } from '../support/sse-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';

function pollUrl(server: TestServer, channels: string[], params: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const channel of channels) query.append('ch', channel);
  for (const [key, value] of Object.entries(params)) query.set(key, value);
  return `${server.base}/poll?${query}`;
}

/** One poll, its body checked with the client's own frame checks. */
async function poll(url: string, headers: Record<string, string> = {}): Promise<PollResponse> {
  const result = await http(url, { headers });
  assert.equal(result.status, 200, result.text);
  assert.match(String(result.headers['content-type']), /^application\/json/);
  assert.match(String(result.headers['cache-control']), /no-store/);
  const body = result.json<PollResponse>();
  assert.equal(typeof checkHello(body.hello), 'object', `bad hello: ${JSON.stringify(body.hello)}`);
  for (const event of body.events) assert.equal(typeof checkEvent(event), 'object', `bad event: ${JSON.stringify(event)}`);
  for (const gap of body.gaps) assert.equal(typeof checkGap(gap), 'object', `bad gap: ${JSON.stringify(gap)}`);
  assert.equal(typeof body.cursor, 'string');
  return body;
}

describe('long-poll', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ pollTimeoutMs: 300, historySize: 2000, tokenSecret: 'poll-secret', publicChannels: ['test.*'] });
  });
  after(() => server.close());

  it('holds an empty poll until the timeout, then answers with the same cursor', async () => {
    const channel = uniqueChannel();
    const started = Date.now();
    const body = await poll(pollUrl(server, [channel]));
    assert.ok(Date.now() - started >= 250, 'the poll was not held');
    assert.deepEqual(body.events, []);
    assert.equal(body.hello.transport, 'long-poll');
    // The hello's heartbeat is the poll timeout: the client's liveness deadline follows from it.
    assert.equal(body.hello.heartbeat, 300);
    assert.equal(body.cursor, body.hello.cursor);
    assert.match(body.cursor, new RegExp(`^${channel.replace(/\./g, '\\.')}=[a-z0-9]+-0$`));
  });

  it('answers at once with wait=0, as a first poll asks, so its hello does not wait for an event', async () => {
    const channel = uniqueChannel();
    const held = poll(pollUrl(server, [channel]));
    const body = await poll(pollUrl(server, [channel], { wait: '0' }));
    assert.deepEqual(body.events, []);
    assert.equal(body.hello.transport, 'long-poll');
    // The held poll is still waiting: wait=0 answered first although it was asked second.
    assert.equal(server.comet.stats().byTransport['long-poll'], 1);
    await held;
    const bad = await http(pollUrl(server, [channel], { wait: 'soon' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'bad-wait');
  });

  it('answers a held poll as soon as an event is published', async () => {
    const channel = uniqueChannel();
    const first = await poll(pollUrl(server, [channel]));
    const pending = poll(pollUrl(server, [channel], { cursor: first.cursor }));
    await until(() => server.comet.stats().byTransport['long-poll'] === 1, 1000, 'poll held');
    const published = await server.comet.publish(channel, { hello: 'world' }, 'greeting');
    const body = await pending;
    assert.deepEqual(body.events, [published]);
    assert.equal(body.cursor, `${channel}=${published.id}`);
    await until(() => server.comet.stats().byTransport['long-poll'] === 0, 1000, 'poll released');
  });

  it('delivers every event published between two polls, in order, across the per-answer cap', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const start = await poll(pollUrl(server, [a, b]));
    const published: CometEvent[] = [];
    for (let i = 0; i < 1200; i++) published.push(await server.comet.publish(i % 3 === 0 ? b : a, { i }));
    const received: CometEvent[] = [];
    let cursor = start.cursor;
    let answers = 0;
    while (received.length < published.length) {
      const body = await poll(pollUrl(server, [a, b], { cursor }));
      assert.ok(body.events.length > 0, 'a poll behind the head must answer at once with events');
      assert.ok(body.events.length <= POLL_MAX_EVENTS);
      received.push(...body.events);
      cursor = body.cursor;
      answers += 1;
    }
    assert.equal(answers, Math.ceil(1200 / POLL_MAX_EVENTS));
    // Order is kept per channel (a replay sends each channel's events in turn).
    for (const channel of [a, b]) {
      assert.deepEqual(received.filter((e) => e.channel === channel).map((e) => e.id), published.filter((e) => e.channel === channel).map((e) => e.id));
    }
    assert.equal(new Set(received.map((e) => `${e.channel}/${e.id}`)).size, published.length, 'no event twice');
  });

  it('reports a gap when the cursor is older than the history', async () => {
    const small = await startServer({ pollTimeoutMs: 300, historySize: 5 });
    try {
      const channel = uniqueChannel();
      const first = await small.comet.publish(channel, 0);
      for (let i = 1; i < 10; i++) await small.comet.publish(channel, i);
      const body = await poll(pollUrl(small, [channel], { cursor: `${channel}=${first.id}` }));
      assert.equal(body.gaps.length, 1);
      assert.equal(body.gaps[0]!.reason, 'history-exceeded');
      assert.equal(body.gaps[0]!.from, first.id);
      assert.deepEqual(body.events.map((e) => e.data), [5, 6, 7, 8, 9]);
    } finally {
      await small.close();
    }
  });

  it('takes the token from the Authorization header, and refuses without one', async () => {
    const refused = await http(pollUrl(server, ['private.room']));
    assert.equal(refused.status, 401);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'token-missing');
    const token = await signToken({ sub: 'ada', channels: ['private.*'] }, 'poll-secret');
    const body = await poll(pollUrl(server, ['private.room']), { Authorization: `Bearer ${token}` });
    assert.equal(body.hello.transport, 'long-poll');
  });

  it('lets go of the feed when the client hangs up', async () => {
    const channel = uniqueChannel();
    const controller = new AbortController();
    const pending = fetch(pollUrl(server, [channel]), { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => server.comet.stats().byTransport['long-poll'] === 1, 1000, 'poll held');
    controller.abort();
    assert.equal(((await pending) as Error).name, 'AbortError');
    await until(() => server.comet.stats().byTransport['long-poll'] === 0, 1000, 'poll forgotten');
  });

  it('tolerates query parameters it does not know (eventsource-polyfill adds some)', async () => {
    const channel = uniqueChannel();
    const result = await http(pollUrl(server, [channel], { evs_buffer_size_limit: '262144', other: 'x' }));
    assert.equal(result.status, 200);
    const sse = await openSse(`${server.base}/sse?ch=${channel}&evs_buffer_size_limit=262144`);
    try {
      assert.equal(sse.status, 200);
      assert.equal((await sse.nextOf('hello')).event, 'hello');
    } finally {
      sse.close();
    }
  });
});

/** A store whose history reads wait for the test: a poll stays in its opening for as long as the test likes. */
class GatedBroker extends MemoryBroker {
  readsWaiting = 0;
  #open: Promise<void> | undefined;
  #release = (): void => {};

  hold(): void {
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#open = undefined;
    this.#release();
  }

  override async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    if (this.#open) {
      this.readsWaiting += 1;
      await this.#open;
    }
    return super.read(channel, after);
  }
}

describe('long-poll ended while its feed opens', () => {
  const broker = new GatedBroker();
  let server: TestServer;
  before(async () => {
    server = await startServer({ broker, pollTimeoutMs: 60_000, publicChannels: ['test.*'] });
  });
  after(() => server.close());

  it('is answered once the feed has opened, not left hanging (a disconnect during a slow history read)', { timeout: 15_000 }, async () => {
    const channel = uniqueChannel();
    const first = await poll(pollUrl(server, [channel], { wait: '0' }));
    broker.hold();
    const pending = poll(pollUrl(server, [channel], { cursor: first.cursor }));
    await until(() => broker.readsWaiting === 1, 2000, 'the poll to wait on its history read');
    assert.equal(server.comet.disconnect({ channel }), 1, 'the opening poll is one of the streams ended');
    broker.release();
    // Held for a minute otherwise: the answer comes now, empty, with the cursor it was given.
    const answer = await pending;
    assert.deepEqual(answer.events, []);
    assert.equal(answer.cursor, first.cursor);
  });
});
