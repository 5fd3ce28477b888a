/**
 * Proves msw works in these test pages: its worker script is served at the
 * root by the test runner config, and `sse()` feeds a real EventSource.
 * Client tests use this for wire-level cases the real server never
 * produces (malformed frames, proxies that buffer, odd reconnect timing).
 */
import { expect } from '@esm-bundle/chai';
import { sse } from 'msw';
import { setupWorker } from 'msw/browser';

// Same origin as the page, and nothing serves it: only the mock can answer.
const MOCKED = `${location.origin}/mocked/comet/sse`;

describe('msw in the browser', () => {
  const worker = setupWorker(
    sse<{ message: unknown; hello: unknown }>(MOCKED, ({ client, request }) => {
      const channel = new URL(request.url).searchParams.get('ch') ?? 'none';
      client.send({ event: 'hello', id: `${channel}=m-0`, data: { v: 1, time: Date.now(), heartbeat: 1000, cursor: `${channel}=m-0`, transport: 'sse' } });
      client.send({ id: `${channel}=m-1`, data: { id: 'm-1', channel, type: 'message', data: 'mocked', time: Date.now() } });
    }),
  );

  before(async () => {
    await worker.start({ quiet: true, onUnhandledFrame: 'bypass' });
  });

  after(async () => {
    await worker.stop();
    // Other test pages share this origin: leave no worker behind to sit in front of their requests.
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });

  it('serves the worker script from the root', async () => {
    const res = await fetch('/mockServiceWorker.js');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/javascript/);
    expect(await res.text()).to.include('Mock Service Worker');
  });

  it('intercepts an EventSource with an sse() handler', async () => {
    const source = new EventSource(`${MOCKED}?ch=t.mock`);
    try {
      const hello = await new Promise<MessageEvent<string>>((resolve, reject) => {
        source.addEventListener('hello', (event) => resolve(event as MessageEvent<string>), { once: true });
        source.addEventListener('error', () => reject(new Error('the mocked stream failed')), { once: true });
      });
      expect(JSON.parse(hello.data)).to.include({ v: 1, cursor: 't.mock=m-0', transport: 'sse' });
      expect(hello.lastEventId).to.equal('t.mock=m-0');
      const message = await new Promise<MessageEvent<string>>((resolve) => {
        source.addEventListener('message', (event) => resolve(event), { once: true });
      });
      expect(JSON.parse(message.data)).to.include({ channel: 't.mock', data: 'mocked' });
      expect(message.lastEventId).to.equal('t.mock=m-1');
    } finally {
      source.close();
    }
  });
});
