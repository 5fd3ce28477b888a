/**
 * A fixed token is one tab's: when it has expired, that tab's client stops
 * (retrying cannot help), and the hub it shares with other tabs, which hold
 * tokens of their own, keeps carrying theirs.
 */
import { expect } from '@esm-bundle/chai';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl, openTab, type TestTab } from './tabs.js';

const server = getTestServer();

describe('an expired fixed token in one tab', function () {
  this.timeout(30_000);
  let tabs: TestTab[] = [];
  afterEach(() => {
    for (const tab of tabs) tab.close();
    tabs = [];
  });

  for (const host of ['leader-tab', 'shared-worker'] as const) {
    it(`ends that tab's client only, not the ${host} hub the other tabs share`, async () => {
      const hub = uniqueChannel('t.hub');
      const channel = `private.${uniqueChannel()}`;
      const valid = await server.token({ sub: 'ada', channels: [channel] });
      const expired = await server.token({ sub: 'ada', channels: [channel], exp: -60 });
      const config = { url: server.comet, hub, host, channels: [channel], ...(host === 'shared-worker' ? { workerUrl: hubWorkerUrl } : {}) };
      const first = await openTab('valid', { ...config, token: valid });
      tabs.push(first);
      await first.tab.ready;
      const second = await openTab('expired', { ...config, token: expired });
      tabs.push(second);
      await second.tab.ready;
      // The hub's next stream is opened with a token: a cut (a deploy, a proxy's timeout) makes one.
      await server.disconnect(channel);
      await waitFor(() => second.tab.client.state === 'closed', 10_000, 'the expired tab to stop');
      expect(second.tab.errors.join()).to.include('The token has expired');
      const event = await server.publish(channel, { n: 1 });
      await waitFor(() => first.tab.received.some((received) => received.id === event.id), 10_000, `the valid tab to keep receiving (it is ${first.tab.client.state})`);
      expect(first.tab.client.state).to.equal('open');
    });
  }
});
