/**
 * A page that joins a hub another page started runs on that page's hub
 * options. The development build (the test runner defines `__DEV__`) says
 * so: one `hub-options-ignored` warning naming the options that differ and
 * the values in effect.
 */
import { expect } from '@esm-bundle/chai';
import { CometClient, type ClientOptions } from '../../../src/client/client.js';
import { getTestServer, uniqueChannel } from '../../support/env.js';
import { hubWorkerUrl, openTab, type TestTab } from './tabs.js';
import { captureWarnings } from '../../support/warnings.js';

const server = getTestServer();

describe('hub options ignored because another page started the hub (development build)', function () {
  this.timeout(20_000);
  const clients: CometClient[] = [];
  const tabs: TestTab[] = [];
  const warnings = captureWarnings();

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const tab of tabs.splice(0)) tab.close();
  });

  const ours = (): string[] => warnings().filter((text) => text.startsWith('cometkit [hub-options-ignored]'));

  /** Another page starts the hub with `options`; this page then joins it with `mine` and waits until its channel is live. */
  async function join(host: { readonly host?: 'leader-tab'; readonly workerUrl?: string }, options: TabOptions, mine: Partial<ClientOptions>): Promise<{ hub: string; client: CometClient }> {
    const hub = uniqueChannel('t.hub');
    const channel = `${hub}.a`;
    const first = await openTab('first page', { url: server.comet, hub, ...host, channels: [channel], options });
    tabs.push(first);
    await first.tab.ready;
    const client = new CometClient({ url: server.comet, hub, ...host, ...mine });
    clients.push(client);
    // The welcome, which carries the hub's options, comes before the positions that make a channel ready.
    await client.subscribe(channel, () => {}).ready;
    expect(client.host).to.equal(host.workerUrl ? 'shared-worker' : 'leader-tab');
    expect(first.tab.errors).to.deep.equal([]);
    return { hub, client };
  }

  type TabOptions = NonNullable<Parameters<typeof openTab>[1]['options']>;

  for (const [name, host] of [
    ['SharedWorker', { workerUrl: hubWorkerUrl }],
    ['leader tab', { host: 'leader-tab' as const }],
  ] as const) {
    it(`${name}: the joining page warns once, naming the options that differ and the values in effect`, async () => {
      // (The URL is part of a hub's name: pages of two push servers never share a hub, so it never differs.)
      const { hub } = await join(host, { batchDelayMs: 5, helloTimeoutMs: 8000 }, { batchDelayMs: 5, helloTimeoutMs: 9000, transports: ['long-poll'] });
      const found = ours();
      expect(found, warnings().join('\n')).to.have.length(1);
      const text = found[0]!;
      expect(text).to.contain(`this page's helloTimeoutMs, transports are ignored`);
      expect(text).to.contain(`the ${name}'s hub "${hub}"`);
      // The values in effect are the first page's; an option it left out runs on the default.
      expect(text).to.contain('helloTimeoutMs: 8000 (this page: 9000)');
      expect(text).to.contain('transports: the default (this page: ["long-poll"])');
      // Options both pages agree on are not named.
      expect(text).not.to.contain('batchDelayMs');
      expect(text).not.to.contain('url:');
    });

    it(`${name}: a page joining with the same options hears nothing`, async () => {
      // The same options, given in another order and with the URL spelled with a trailing slash, as the hub reads them.
      await join(host, { helloTimeoutMs: 8000, transports: ['sse', 'long-poll'] }, { url: `${server.comet}/`, transports: ['sse', 'long-poll'], helloTimeoutMs: 8000 });
      expect(ours(), warnings().join('\n')).to.deep.equal([]);
    });
  }

  for (const [name, host] of [
    ['SharedWorker', { workerUrl: hubWorkerUrl }],
    ['leader tab', { host: 'leader-tab' as const }],
  ] as const) {
    it(`${name}: createClient({ url }) beside a <comet-connection url> (as the React and Vue demos do) hears nothing: a default spelled out is no difference`, async () => {
      // <comet-connection> passes withCredentials: false, which createClient() leaves to its default.
      await join(host, { withCredentials: false }, {});
      expect(ours(), warnings().join('\n')).to.deep.equal([]);
    });
  }

  it('a page whose hub is its own (single tab) hears nothing, whatever its options', async () => {
    const hub = uniqueChannel('t.hub');
    const client = new CometClient({ url: server.comet, hub, host: 'single-tab', transports: ['long-poll'], helloTimeoutMs: 9000 });
    clients.push(client);
    await client.subscribe(`${hub}.a`, () => {}).ready;
    expect(ours(), warnings().join('\n')).to.deep.equal([]);
  });
});
