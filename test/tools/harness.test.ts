/**
 * Proves the browser test setup itself: the harness URL reaches the page,
 * its control endpoints answer cross-origin, and a plain EventSource talks
 * to the real reference server. If these fail, every client test would.
 */
import { expect } from '@esm-bundle/chai';
import type { HelloFrame, PositionedEvent } from '../../src/protocol/messages.js';
import { formatPosition } from '../../src/protocol/position.js';
import { checkEvent, checkHello } from '../../src/protocol/validate.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

/** The next `type` event on `source`; rejects on an error event, so a refused stream fails fast. */
function nextEvent(source: EventSource, type: string): Promise<MessageEvent<string>> {
  return new Promise((resolve, reject) => {
    const onEvent = (event: Event): void => {
      cleanup();
      resolve(event as MessageEvent<string>);
    };
    const onError = (): void => {
      cleanup();
      reject(new Error(`EventSource error before "${type}" (readyState ${source.readyState})`));
    };
    const cleanup = (): void => {
      source.removeEventListener(type, onEvent);
      source.removeEventListener('error', onError);
    };
    source.addEventListener(type, onEvent);
    source.addEventListener('error', onError);
  });
}

function parsed<T>(check: (value: unknown) => T | string, event: MessageEvent<string>): T {
  const value = check(JSON.parse(event.data));
  if (typeof value === 'string') throw new Error(`${value}: ${event.data}`);
  return value;
}

describe('browser test harness', () => {
  const server = getTestServer();

  it('tells the page where the server is', () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.comet).to.equal(`${server.url}/comet`);
    // The page is served by the test runner on another origin: every call below is cross-origin.
    expect(new URL(server.url).origin).not.to.equal(location.origin);
  });

  it('answers /control/stats with JSON', async () => {
    const res = await fetch(`${server.url}/control/stats`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const stats = (await res.json()) as { streams: number; byTransport: Record<string, number> };
    expect(stats.streams).to.be.a('number').and.at.least(0);
    expect(stats.byTransport).to.have.property('sse').that.is.a('number');
    expect(await server.stats()).to.have.property('streams');
  });

  it('serves the harness settings the tests rely on', async () => {
    const info = await server.info();
    expect(info.comet).to.equal(server.comet);
    expect(info.publicChannels).to.deep.equal(['t.*']);
    expect(info.heartbeatMs).to.equal(1000);
    expect(info.historySize).to.equal(200);
    expect(info.publishKey).to.be.a('string').with.length.above(10);
  });

  it('lets a native EventSource receive the hello and a published event', async () => {
    const channel = uniqueChannel();
    const source = new EventSource(`${server.comet}/sse?ch=${encodeURIComponent(channel)}`);
    try {
      const helloEvent = await nextEvent(source, 'hello');
      const hello: HelloFrame = parsed(checkHello, helloEvent);
      expect(hello.transport).to.equal('sse');
      expect(hello.heartbeat).to.equal(1000);
      expect(hello.cursor).to.match(new RegExp(`^${channel.replace(/\./g, '\\.')}=[a-z0-9]+-0$`));
      expect(helloEvent.lastEventId).to.equal(hello.cursor);
      await waitFor(async () => (await server.stats()).streams > 0, 2000, 'the server to count the stream');

      const arriving = nextEvent(source, 'message');
      const published = await server.publish(channel, { greeting: 'hi' }, 'greeting');
      const message = await arriving;
      // The transport edge hands the event up with its id parsed once: the frame's fields are the published event's.
      const { position, ...fields }: PositionedEvent = parsed(checkEvent, message);
      expect(fields).to.deep.equal(published);
      expect(formatPosition(position)).to.equal(published.id);
      const event = fields;
      expect(event.data).to.deep.equal({ greeting: 'hi' });
      expect(message.lastEventId).to.equal(`${channel}=${published.id}`);
    } finally {
      source.close();
    }
  });

  it('cuts streams on demand, and a native EventSource resumes with Last-Event-ID', async () => {
    const channel = uniqueChannel();
    const source = new EventSource(`${server.comet}/sse?ch=${encodeURIComponent(channel)}`);
    try {
      await nextEvent(source, 'hello');
      const first = nextEvent(source, 'message');
      await server.publish(channel, 1);
      await first;
      expect(await server.disconnect(channel)).to.equal(1);
      // Published while the browser is reconnecting (retry: 1000): must come from history.
      await server.publish(channel, 2);
      const second = await nextEvent(source, 'message');
      expect(JSON.parse(second.data).data).to.equal(2);
      expect(second.lastEventId).to.match(/-2$/);
    } finally {
      source.close();
    }
  });

  it('mints tokens: a private channel is refused without one and served with one', async () => {
    const channel = uniqueChannel('p');
    const refused = new EventSource(`${server.comet}/sse?ch=${channel}`);
    try {
      await nextEvent(refused, 'hello').then(
        () => expect.fail('a private channel was served without a token'),
        () => undefined,
      );
      // A 4xx answer is fatal for EventSource: it does not retry.
      expect(refused.readyState).to.equal(EventSource.CLOSED);
    } finally {
      refused.close();
    }
    const token = await server.token({ sub: 'ann', channels: ['p.*'], exp: 60 });
    const served = new EventSource(`${server.comet}/sse?ch=${channel}&token=${token}`);
    try {
      parsed(checkHello, await nextEvent(served, 'hello'));
    } finally {
      served.close();
    }
    const expired = await server.token({ channels: ['p.*'], exp: -10 });
    const res = await fetch(`${server.comet}/sse?ch=${channel}&token=${expired}`);
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('token-expired');
  });
});
