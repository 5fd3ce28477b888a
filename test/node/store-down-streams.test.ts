/**
 * A stream that cannot start because the event store is unreachable is
 * refused before any byte, with the store's `503 broker-unavailable`, as a
 * publish is: a 200 cut before its hello is what a stream-killing proxy
 * looks like, and clients would step down their transports for it.
 * (scale-out.test.ts checks the same against a real Redis killed mid-run.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Position } from '../../src/protocol/position.js';
import type { HistoryRead } from '../../server/broker/broker.js';
import { brokerUnavailable } from '../../server/redis/redis-connection.js';
import { helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { openIframe } from '../support/iframe-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';
import { WrappedBroker } from '../support/wrapped-broker.js';

const PAGE = 'http://page.example';

/** A memory broker whose history reads fail, as the Redis broker's do while Redis is away. */
class UnreachableStore extends WrappedBroker {
  down = false;

  constructor() {
    super(100);
  }

  override async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    // A turn later, as a refused Redis command comes back: the response is set up by then.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw brokerUnavailable(new Error('connection refused'), 'read history');
    return this.inner.read(channel, after);
  }
}

describe('a new stream while the event store is unreachable', () => {
  const store = new UnreachableStore();
  let server: TestServer;
  before(async () => {
    server = await startServer({ broker: store, allowedOrigins: [PAGE] });
  });
  after(() => server.close());

  it('SSE: 503 broker-unavailable as JSON, nothing held; once the store is back, the same request streams', async () => {
    const channel = uniqueChannel();
    store.down = true;
    const refused = await http(server.sseUrl([channel]));
    assert.equal(refused.status, 503);
    assert.match(String(refused.headers['content-type']), /^application\/json/);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'broker-unavailable');
    await until(() => server.comet.stats().streams === 0, 2000, 'no stream left held');

    store.down = false;
    const stream = await openSse(server.sseUrl([channel]));
    try {
      assert.equal(stream.response.statusCode, 200);
      assert.equal(helloOf(await stream.next()).cursor.startsWith(`${channel}=`), true);
    } finally {
      stream.close();
    }
  });

  it('iframe: the refusal is the error document a page reads, with status 503, not a 200 cut short', async () => {
    const channel = uniqueChannel();
    store.down = true;
    const refused = await openIframe(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent(PAGE)}`);
    try {
      assert.equal(refused.status, 503);
      await until(() => refused.frames.length > 0, 2000, 'the error frame');
      assert.equal(refused.frames[0]!.kind, 'error');
      assert.deepEqual((refused.frames[0]!.frame as { code?: string }).code, 'broker-unavailable');
    } finally {
      refused.close();
      store.down = false;
    }
    await until(() => server.comet.stats().streams === 0, 2000, 'no stream left held');
  });

  it('long-poll: 503 broker-unavailable, and the refused poll gives its slot back', async () => {
    const channel = uniqueChannel();
    store.down = true;
    try {
      const refused = await http(`${server.base}/poll?ch=${channel}&wait=0`);
      assert.equal(refused.status, 503);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'broker-unavailable');
    } finally {
      store.down = false;
    }
    // Counted while it waited for the store: once refused, it must not be counted any more.
    await until(() => server.comet.stats().streams === 0, 2000, 'the refused poll to hold no slot');
  });
});
