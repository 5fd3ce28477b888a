/**
 * Code loaded on demand that cannot be fetched: each failure is a clear
 * ModuleLoadError where the code was needed, never a hang. The failed
 * fetches are played by msw in front of the dev server, which a real push
 * server has no part in.
 */
import { expect } from '@esm-bundle/chai';
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import { createClient, type CometClient } from '../../src/index.js';
import type { CometStateEvent } from '../../src/client/events.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { hubWorkerUrl } from './hub/tabs.js';
import { PUSH_DEVICE_KEY } from '../../src/push/push-device.js';

const server = getTestServer();

/** Modules whose fetch fails, by file name: each is imported lazily by the client, never statically by this file. */
const failing = /\/(shared-worker-host|single-tab-host|long-poll-transport|presence-manager|fetch-history)\.(js|ts)(\?|$)/;
const worker = setupWorker(http.get(failing, () => HttpResponse.error()));

describe('lazily loaded code that fails to load', function () {
  this.timeout(20_000);
  const clients: CometClient[] = [];
  const client = (options: Partial<Parameters<typeof createClient>[0]>): CometClient => {
    const made = createClient({ url: server.comet, hub: uniqueChannel('t.lazy'), ...options });
    clients.push(made);
    return made;
  };

  before(async () => {
    await worker.start({ quiet: true, onUnhandledFrame: 'bypass' });
  });
  after(async () => {
    for (const made of clients.splice(0)) made.close();
    await worker.stop();
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });

  it('closes the client with a ModuleLoadError when its hub cannot load', async () => {
    const c = client({ host: 'single-tab' });
    const errors: Array<{ name: string; code: string; message: string }> = [];
    c.addEventListener('error', (event) => errors.push(event.error));
    const closed = new Promise<CometStateEvent>((resolve) => c.addEventListener('statechange', (event) => event.state === 'closed' && resolve(event)));
    c.subscribe(uniqueChannel(), () => {});
    const event = await closed;
    expect(event.error).to.include({ name: 'ModuleLoadError', code: 'module-load-failed' });
    expect(event.error!.message).to.contain('hub').and.to.contain('dist/');
    expect(errors.map((error) => error.code)).to.deep.equal(['module-load-failed']);
  });

  it('closes the client with a ModuleLoadError when its SharedWorker link cannot load', async () => {
    const c = client({ workerUrl: hubWorkerUrl });
    expect(c.host).to.equal('shared-worker');
    const closed = new Promise<CometStateEvent>((resolve) => c.addEventListener('statechange', (event) => event.state === 'closed' && resolve(event)));
    c.subscribe(uniqueChannel(), () => {});
    const event = await closed;
    expect(event.error).to.include({ name: 'ModuleLoadError', code: 'module-load-failed' });
    expect(event.error!.message).to.contain('SharedWorker link');
  });

  it('reports a transport that cannot load as a failed attempt, and keeps trying', async () => {
    const c = client({ host: 'leader-tab', transports: ['long-poll'], reconnect: { baseDelayMs: 20, maxDelayMs: 50 } });
    const errors: string[] = [];
    c.addEventListener('error', (event) => errors.push(event.error.code));
    c.subscribe(uniqueChannel(), () => {});
    await waitFor(() => errors.filter((code) => code === 'module-load-failed').length >= 2, 10_000, 'two failed attempts');
    expect(c.state).to.be.oneOf(['connecting', 'reconnecting']);
  });

  it('tells a roster that presence cannot load, and rejects history', async () => {
    const c = client({ host: 'leader-tab' });
    const roster = c.presence(uniqueChannel());
    const error = await new Promise<{ name: string; code: string }>((resolve) => roster.addEventListener('error', (event) => resolve(event.error)));
    expect(error).to.include({ name: 'ModuleLoadError', code: 'module-load-failed' });
    expect(roster.loaded).to.equal(false);
    roster.release();
    let rejected: { name?: string; code?: string } | undefined;
    await c.history(uniqueChannel()).catch((reason: { name?: string; code?: string }) => (rejected = reason));
    expect(rejected).to.include({ name: 'ModuleLoadError', code: 'module-load-failed' });
  });
});

describe('code only a browser subscribed to push loads', function () {
  this.timeout(20_000);
  const loaded = (file: string): boolean => performance.getEntriesByType('resource').some((entry) => new URL(entry.name).pathname.endsWith(file));
  let made: CometClient | undefined;
  afterEach(() => {
    made?.close();
    localStorage.removeItem(PUSH_DEVICE_KEY);
  });

  it('leaves the hub without its push visibility code, and the page without the push client, when push was never used', async () => {
    localStorage.removeItem(PUSH_DEVICE_KEY);
    made = createClient({ url: server.comet, hub: uniqueChannel('t.lazy'), host: 'leader-tab' });
    made.subscribe(uniqueChannel(), () => {});
    await waitFor(() => made!.state === 'open', 10_000, 'open');
    expect(loaded('/leader-tab-host.ts'), 'the hub loaded').to.equal(true);
    expect(loaded('/device-visibility.ts'), 'the visibility code').to.equal(false);
    expect(loaded('/push-client.ts'), 'the push client').to.equal(false);
  });

  it('loads the visibility code in the hub once a tab of a subscribed browser reports', async () => {
    localStorage.setItem(PUSH_DEVICE_KEY, 'lazy-device-1');
    made = createClient({ url: server.comet, hub: uniqueChannel('t.lazy'), host: 'leader-tab' });
    made.subscribe(uniqueChannel(), () => {});
    await waitFor(() => loaded('/device-visibility.ts'), 10_000, 'the visibility code');
  });
});
