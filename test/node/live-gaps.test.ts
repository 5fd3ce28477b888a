/**
 * A live feed that skips events: a process whose pub/sub connection was
 * down while more was published than the history holds catches up from
 * the log and finds the oldest of what it missed already trimmed. Readers
 * must be told (a `gap` frame before the next event), exactly as a replay
 * that cannot reach their position tells them, never left to skip silently.
 *
 * The broker here drops live deliveries on demand; the Redis broker's
 * relay is what produces such a jump for real (redis-broker.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { checkEvent, checkGap } from '../../src/protocol/validate.js';
import type { PollResponse } from '../../server/routes/poll.js';
import { eventOf, gapOf, helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse, type SseStream } from '../support/sse-client.js';
import { WrappedBroker } from '../support/wrapped-broker.js';

/** A memory broker whose live feed can miss the next `missing` events of every channel. */
class LossyLiveBroker extends WrappedBroker {
  missing = 0;

  constructor() {
    super(100);
  }

  override subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    return this.inner.subscribe(channel, (event) => {
      if (this.missing > 0) {
        this.missing -= 1;
        return;
      }
      listener(event);
    });
  }
}

/** The next frame that is not a heartbeat. */
async function nextFrame(stream: SseStream): ReturnType<SseStream['next']> {
  for (;;) {
    const frame = await stream.next(2000);
    if (frame.event !== 'heartbeat') return frame;
  }
}

describe('a live feed that skipped events', () => {
  const broker = new LossyLiveBroker();
  let server: TestServer;
  before(async () => {
    server = await startServer({ broker, publicChannels: ['test.*'], pollTimeoutMs: 2000 });
  });
  after(() => server.close());

  it('SSE: every stream on the channel gets a history-exceeded gap, then the event, and nothing else', async () => {
    const channel = uniqueChannel();
    const streams = [await openSse(server.sseUrl([channel])), await openSse(server.sseUrl([channel]))];
    try {
      for (const stream of streams) helloOf(await stream.next());
      const first = await server.comet.publish(channel, 1);
      for (const stream of streams) assert.equal(eventOf(await nextFrame(stream)).id, first.id);

      broker.missing = 3;
      for (let n = 2; n <= 4; n += 1) await server.comet.publish(channel, n);
      const fifth = await server.comet.publish(channel, 5);
      const [epoch] = first.id.split('-');
      for (const stream of streams) {
        assert.deepEqual(gapOf(await nextFrame(stream)), { channel, from: first.id, to: `${epoch}-4`, reason: 'history-exceeded' });
        const event = await nextFrame(stream);
        assert.equal(eventOf(event).id, fifth.id);
        assert.equal(event.id, `${channel}=${fifth.id}`, 'the stream cursor after it');
      }
      // Contiguous again: the next event comes alone.
      const sixth = await server.comet.publish(channel, 6);
      for (const stream of streams) assert.equal(eventOf(await nextFrame(stream)).id, sixth.id);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('long-poll: a held poll answers the gap first, then the event', async () => {
    const channel = uniqueChannel();
    const first = await server.comet.publish(channel, 1);
    const url = (cursor: string): string => `${server.base}/poll?ch=${channel}&cursor=${encodeURIComponent(cursor)}`;
    const holding = http(url(`${channel}=${first.id}`));
    await until(() => server.comet.stats().byTransport['long-poll'] === 1, 2000, 'the poll to be held');
    broker.missing = 2;
    await server.comet.publish(channel, 2);
    await server.comet.publish(channel, 3);
    const fourth = await server.comet.publish(channel, 4);
    const answer = (await holding).json<PollResponse>();
    const [epoch] = first.id.split('-');
    assert.deepEqual(answer.gaps.map((gap) => (assert.equal(typeof checkGap(gap), 'object'), gap)), [
      { channel, from: first.id, to: `${epoch}-3`, reason: 'history-exceeded' },
    ]);
    assert.deepEqual(answer.events.map((event) => (assert.equal(typeof checkEvent(event), 'object'), event.id)), [fourth.id]);
    assert.equal(answer.cursor, `${channel}=${fourth.id}`);
  });

  it('long-poll: a gap seen after events already taken ends the answer before it, and the next poll resumes from there', async () => {
    const channel = uniqueChannel();
    const first = await server.comet.publish(channel, 1);
    const url = (cursor: string): string => `${server.base}/poll?ch=${channel}&cursor=${encodeURIComponent(cursor)}`;
    const holding = http(url(`${channel}=${first.id}`));
    await until(() => server.comet.stats().byTransport['long-poll'] === 1, 2000, 'the poll to be held');
    // In one turn (the memory broker delivers as it publishes): 2 is taken, 3 is missed live, 4 comes after the hole.
    const message = (data: number) => broker.inner.publish({ channel, type: 'message', data });
    const second = message(2);
    broker.missing = 1;
    const third = message(3);
    const fourth = message(4);
    const answer = (await holding).json<PollResponse>();
    assert.deepEqual(answer.gaps, [], 'an answer lists its gaps before its events: one after them cannot be told');
    assert.deepEqual(answer.events.map((event) => event.id), [(await second).id]);
    assert.equal(answer.cursor, `${channel}=${(await second).id}`);
    // This broker's history still holds 3: the next poll replays it, so the live miss lost nothing. (Were it
    // trimmed, that replay would say history-exceeded.)
    const next = (await http(url(answer.cursor))).json<PollResponse>();
    assert.deepEqual(next.gaps, []);
    assert.deepEqual(next.events.map((event) => event.id), [(await third).id, (await fourth).id]);
  });
});
