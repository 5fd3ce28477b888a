/**
 * Proves msw works in these test pages: its worker script is served at the
 * root by the test runner config, and `sse()` feeds a real EventSource.
 * Nothing uses it for SSE now: in WebKit a mocked `sse()` response reaches
 * the EventSource only once the handler closes it, so wire cases are played
 * by a real endpoint of the harness instead (client-wire.test.ts). The
 * WebKit case below pins that behaviour down, so a fixed msw shows up here.
 */
import { expect } from '@esm-bundle/chai';
import { sse } from 'msw';
import { setupWorker } from 'msw/browser';
import { engine } from '../support/engine.js';

// Same origin as the page, and nothing serves it: only the mock can answer.
const MOCKED = `${location.origin}/mocked/comet/sse`;

describe('msw in the browser', () => {
  const worker = setupWorker(
    sse<{ message: unknown; hello: unknown }>(MOCKED, ({ client, request }) => {
      const channel = new URL(request.url).searchParams.get('ch') ?? 'none';
      client.send({ event: 'hello', id: `${channel}=m-0`, data: { v: 1, time: Date.now(), heartbeat: 1000, cursor: `${channel}=m-0`, transport: 'sse' } });
      client.send({ id: `${channel}=m-1`, data: { id: 'm-1', channel, type: 'message', data: 'mocked', time: Date.now() } });
      if (new URL(request.url).searchParams.has('close')) client.close();
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

  it(`intercepts an EventSource with an sse() handler${engine() === 'webkit' ? ' (in WebKit, once the handler closes the stream)' : ''}`, async () => {
    const source = new EventSource(`${MOCKED}?ch=t.mock${engine() === 'webkit' ? '&close' : ''}`);
    try {
      // Both listeners from the start: an engine may dispatch both frames in one task.
      const hello = new Promise<MessageEvent<string>>((resolve, reject) => {
        source.addEventListener('hello', (event) => resolve(event as MessageEvent<string>), { once: true });
        source.addEventListener('error', () => reject(new Error('the mocked stream failed')), { once: true });
      });
      const message = new Promise<MessageEvent<string>>((resolve) => {
        source.addEventListener('message', (event) => resolve(event), { once: true });
      });
      expect(JSON.parse((await hello).data)).to.include({ v: 1, cursor: 't.mock=m-0', transport: 'sse' });
      expect((await hello).lastEventId).to.equal('t.mock=m-0');
      expect(JSON.parse((await message).data)).to.include({ channel: 't.mock', data: 'mocked' });
      expect((await message).lastEventId).to.equal('t.mock=m-1');
    } finally {
      source.close();
    }
  });
});
