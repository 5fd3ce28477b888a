import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpStatusError } from '../../server/http/http-error.js';
import { epochOf, eventOf, helloOf, seqOf, takeEvents } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

const KEY = 'k3y-for-publish-tests';

interface Published {
  id: string;
  channel: string;
  type: string;
  time: number;
}

describe('POST /publish', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishKey: KEY });
  });
  after(() => server.close());

  const publish = (body: unknown) =>
    http(`${server.base}/publish`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body });

  it('publishes one event to the streams of its channel and answers with its id', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      const before = Date.now();
      const res = await publish({ channel, type: 'greeting', data: { hello: 'world' } });
      assert.equal(res.status, 200);
      const answer = res.json<Published>();
      assert.equal(answer.channel, channel);
      assert.equal(answer.type, 'greeting');
      assert.equal(seqOf(answer.id), 1);
      assert.ok(answer.time >= before && answer.time <= Date.now());
      const event = eventOf(await stream.next());
      assert.deepEqual(event, { id: answer.id, channel, type: 'greeting', data: { hello: 'world' }, time: answer.time });
    } finally {
      stream.close();
    }
  });

  it('defaults the type to "message" and accepts null data', async () => {
    const answer = (await publish({ channel: uniqueChannel(), data: null })).json<Published>();
    assert.equal(answer.type, 'message');
  });

  it('accepts the scheme name in any case', async () => {
    const res = await http(`${server.base}/publish`, {
      method: 'POST',
      headers: { Authorization: `bearer ${KEY}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: uniqueChannel(), data: 1 }),
    });
    assert.equal(res.status, 200);
  });

  it('publishes a batch in order, across channels, answering with an array', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const stream = await openSse(server.sseUrl([a, b]));
    try {
      helloOf(await stream.next());
      const res = await publish([
        { channel: a, data: 1 },
        { channel: b, type: 'x', data: 2 },
        { channel: a, data: 3 },
      ]);
      assert.equal(res.status, 200);
      const answers = res.json<Published[]>();
      assert.deepEqual(answers.map((p) => [p.channel, seqOf(p.id)]), [[a, 1], [b, 1], [a, 2]]);
      const events = await takeEvents(stream, 3);
      assert.deepEqual(events.map((e) => [e.channel, e.type, e.data]), [[a, 'message', 1], [b, 'x', 2], [a, 'message', 3]]);
    } finally {
      stream.close();
    }
  });

  it('publishes nothing of a batch with one bad item, and names the item', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      for (const bad of [{ channel: 'a b', data: 1 }, { channel }, { channel, type: '', data: 1 }, 'text', null, [1]]) {
        const res = await publish([{ channel, data: 'first' }, { channel, data: 'second' }, bad]);
        assert.equal(res.status, 400);
        assert.match(res.json<{ error: { message: string } }>().error.message, /body\[2\]/);
      }
      // The channel is still empty: the next event is its first, and the only one on the stream.
      const answer = (await publish({ channel, data: 'only' })).json<Published>();
      assert.equal(seqOf(answer.id), 1);
      assert.equal(eventOf(await stream.next()).data, 'only');
      assert.equal(stream.pending, 0);
    } finally {
      stream.close();
    }
  });

  it('takes 1 to 100 events per batch', async () => {
    const channel = uniqueChannel();
    const hundred = Array.from({ length: 100 }, (_, n) => ({ channel, data: n }));
    const res = await publish(hundred);
    assert.equal(res.status, 200);
    assert.equal(res.json<Published[]>().length, 100);
    assert.equal((await publish([...hundred, { channel, data: 100 }])).status, 400);
    assert.equal((await publish([])).status, 400);
  });

  it('ids are per channel and share the server epoch', async () => {
    const [a, b] = [uniqueChannel(), uniqueChannel()];
    const answers = (await publish([{ channel: a, data: 0 }, { channel: a, data: 0 }, { channel: b, data: 0 }])).json<Published[]>();
    assert.deepEqual(answers.map((p) => seqOf(p.id)), [1, 2, 1]);
    assert.equal(new Set(answers.map((p) => epochOf(p.id))).size, 1);
  });
});

describe('server.publish()', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({});
  });
  after(() => server.close());

  it('publishes without HTTP, and without a publish key', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      const event = await server.comet.publish(channel, [1, 2], 'list');
      assert.deepEqual(eventOf(await stream.next()), event);
    } finally {
      stream.close();
    }
  });

  it('rejects invalid input through the promise, as its type promises', async () => {
    // A Promise-returning API that throws synchronously escapes `.catch()` handlers.
    let returned: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      returned = server.comet.publish('not a channel', 1);
    });
    await assert.rejects(returned!, (error: unknown) => error instanceof HttpStatusError && error.code === 'bad-channel');
    await assert.rejects(server.comet.publish(uniqueChannel(), undefined), (error: unknown) => error instanceof HttpStatusError && error.code === 'bad-event');
    await assert.rejects(server.comet.publish(uniqueChannel(), 1, 'bad type'), (error: unknown) => error instanceof HttpStatusError);
  });
});
