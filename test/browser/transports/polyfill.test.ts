/**
 * Without a native EventSource, the SSE transport loads eventsource-polyfill
 * on first need, and SSE keeps delivering through it. Tested on the built
 * bundles, since the point is how they are split: the ES module build
 * imports the polyfill as a chunk of its own, the script-tag build adds it
 * as a classic script from next to itself. Neither main file contains it.
 * Needs the build (`npm test` builds before the browser tests).
 */
import { expect } from '@esm-bundle/chai';
import type * as CometKit from '../../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { getLab, proxyKey } from '../../support/proxies/lab-client.js';

const server = getTestServer();
/** Strings only eventsource-polyfill's code has, kept by the minifier. */
const POLYFILL_MARKERS = ['evs_buffer_size_limit', 'evs_last_event_id', 'XDomainRequest timed out'];

async function text(file: string): Promise<string> {
  const response = await fetch(file);
  expect(response.ok, `${file} is built`).to.equal(true);
  return response.text();
}

const resources = (pattern: RegExp): string[] => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => pattern.test(name));

async function deliversOverSse(kit: typeof CometKit): Promise<void> {
  const lab = await getLab();
  const channel = uniqueChannel();
  const client = kit.createClient({ url: lab.comet, host: 'single-tab', hub: proxyKey('polyfill'), transports: ['sse'] });
  try {
    const received: unknown[] = [];
    client.subscribe(channel, (event) => received.push(event.data));
    await waitFor(() => client.state === 'open', 10_000, `the client to open (now ${client.state})`);
    expect(client.transport).to.equal('sse');
    await lab.publishMany([{ channel, data: 1 }, { channel, data: 2 }, { channel, data: 3 }]);
    await waitFor(() => received.length >= 3, 5000, 'three events');
    expect(received).to.deep.equal([1, 2, 3]);
  } finally {
    client.close();
  }
}

describe('eventsource-polyfill', function () {
  this.timeout(20_000);
  const native = window.EventSource;
  beforeEach(() => {
    // Hidden the way a browser without it would lack it: no property at all.
    delete (window as { EventSource?: unknown }).EventSource;
  });
  afterEach(() => {
    window.EventSource = native;
  });

  it('is in neither main bundle, but in the file the script-tag build adds', async () => {
    // Checked present in the polyfill as built, so that their absence from a bundle says the polyfill is absent.
    const polyfill = await text('/dist/eventsource-polyfill.js');
    for (const marker of POLYFILL_MARKERS) expect(polyfill, `/dist/eventsource-polyfill.js has ${marker}`).to.contain(marker);
    for (const file of ['/dist/cometkit.js', '/dist/cometkit.iife.js']) {
      const bundle = await text(file);
      for (const marker of POLYFILL_MARKERS) expect(bundle, `${file} has no ${marker}`).to.not.contain(marker);
    }
    expect(await text('/dist/cometkit.iife.js'), 'the script-tag build names the file it adds').to.contain('eventsource-polyfill.js');
  });

  it('ES module build: imports its chunk only without a native EventSource, and SSE delivers through it', async () => {
    const before = resources(/\/dist\/chunks\/eventsource-[\w-]+\.js$/).length;
    const path = '/dist/cometkit.js';
    const kit = (await import(/* @vite-ignore */ path)) as typeof CometKit;
    expect(resources(/\/dist\/chunks\/eventsource-[\w-]+\.js$/).length, 'chunk fetched before it was needed').to.equal(before);
    await deliversOverSse(kit);
    const chunk = resources(/\/dist\/chunks\/eventsource-[\w-]+\.js$/).at(-1);
    expect(chunk, 'the polyfill chunk was fetched').to.be.a('string');
    const code = await text(chunk!);
    for (const marker of POLYFILL_MARKERS) expect(code, `${chunk} has ${marker}`).to.contain(marker);
    // The chunk hands the polyfill to the transport; it does not install itself on window.
    expect('EventSource' in window).to.equal(false);
  });

  it('script-tag build: adds eventsource-polyfill.js from next to itself, and SSE delivers through it', async () => {
    const script = document.createElement('script');
    script.src = `${server.url}/dist/cometkit.iife.js`;
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${script.src} did not load: is the package built?`));
      document.head.append(script);
    });
    expect(document.querySelector(`script[src="${server.url}/dist/eventsource-polyfill.js"]`)).to.equal(null);
    await deliversOverSse((window as unknown as { CometKit: typeof CometKit }).CometKit);
    expect(document.querySelector(`script[src="${server.url}/dist/eventsource-polyfill.js"]`), 'the polyfill script').to.not.equal(null);
    expect((window.EventSource as unknown as { isPolyfill?: string }).isPolyfill).to.equal('XHR');
  });
});
