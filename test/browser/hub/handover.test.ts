/**
 * Leader-tab host: when the leader page goes, the next page in the lock's
 * queue becomes leader, resumes from what the pages had received, and no
 * event is lost or doubled. Also: a page that vanishes without a goodbye
 * is noticed through its tab lock and its channels are released.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { hubName } from '../../../src/hosts/host-link.js';
import { PORT_PROTOCOL_VERSION } from '../../../src/hub/port-protocol.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl, ids, openTabs, type TabConfig, type TestTab } from './tabs.js';

const server = getTestServer();

/** Who holds the leader lock of a hub now (a client id, opaque but stable per document). */
async function leaderId(prefix: string): Promise<string | undefined> {
  const name = `${hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION })}:leader`;
  const snapshot = await navigator.locks.query();
  return snapshot.held?.find((lock) => lock.name === name)?.clientId;
}

describe('leader-tab host handover', function () {
  this.timeout(30_000);
  let tabs: TestTab[] = [];
  afterEach(() => {
    for (const tab of tabs) tab.close();
    tabs = [];
  });

  it('elects a new leader when the leader page closes, which resumes with nothing lost or doubled', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.feed`;
    tabs = await openTabs(3, () => ({ url: server.comet, hub: prefix, host: 'leader-tab', channels: [channel] }));
    await server.publish(channel, 'warm-up');
    await waitFor(() => tabs.every((tab) => tab.tab.received.length === 1), 10_000, 'the warm-up event');
    const firstLeader = await leaderId(prefix);
    expect(firstLeader, 'a leader holds the lock').to.be.a('string');

    // The first page asked for the lock first, so it leads; it closes halfway through.
    const [leader, ...followers] = tabs;
    // The run fits in the server's history: however far a page lags when the new hub resumes it, the
    // server can replay all it lacks (a page further behind is told of a gap; client.test.ts covers that).
    const { historySize } = await server.info();
    const perBatch = Math.min(30, Math.floor((historySize - 1) / 10));
    const published: CometEvent[] = [];
    for (let batch = 0; batch < 10; batch++) {
      published.push(...(await server.publishMany(Array.from({ length: perBatch }, (_, k) => ({ channel, data: batch * perBatch + k })))));
      if (batch === 4) leader!.close();
    }

    await waitFor(async () => {
      const now = await leaderId(prefix);
      return now !== undefined && now !== firstLeader;
    }, 10_000, 'a new leader');
    for (const tab of followers) {
      await waitFor(() => tab.tab.received.length >= 1 + published.length, 20_000, `${tab.name} to get all ${published.length} events`);
      expect(tab.tab.gaps, `gaps reported to ${tab.name}`).to.deep.equal([]);
      expect(ids(tab.tab.received.slice(1)), `${tab.name}: every event once, in order`).to.deep.equal(published.map((event) => event.id));
      expect(tab.tab.client.state).to.equal('open');
    }
    await waitFor(async () => (await server.streams(prefix)) === 1, 5000, 'one stream, from the new leader');
  });

  it('hands over when the leader\'s client closes while its page stays', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.feed`;
    tabs = await openTabs(2, () => ({ url: server.comet, hub: prefix, host: 'leader-tab', channels: [channel] }));
    const [leader, follower] = tabs as [TestTab, TestTab];
    leader.tab.client.close();
    expect(leader.tab.client.state).to.equal('closed');
    const published = await server.publishMany(Array.from({ length: 20 }, (_, i) => ({ channel, data: i })));
    await waitFor(() => follower.tab.received.length === published.length, 10_000, 'the follower to get every event from its own hub');
    expect(ids(follower.tab.received)).to.deep.equal(published.map((event) => event.id));
    expect(leader.tab.received).to.deep.equal([]);
    await waitFor(async () => (await server.streams(prefix)) === 1, 5000, 'one stream');
  });

  for (const [name, config] of [
    ['leader-tab', { host: 'leader-tab' }],
    ['SharedWorker', { workerUrl: hubWorkerUrl }],
  ] as const) {
    it(`${name}: releases the channels of a page that vanished without a goodbye`, async () => {
      const prefix = uniqueChannel('t.hub');
      const shared = `${prefix}.shared`;
      const solo = `${prefix}.solo`;
      const base: Pick<TabConfig, 'url' | 'hub' | 'host' | 'workerUrl'> = { url: server.comet, hub: prefix, ...config };
      tabs = await openTabs(2, (i) => (i === 0 ? { ...base, channels: [shared] } : { ...base, channels: [shared, solo], noGoodbye: true }));
      await server.publishMany([{ channel: shared, data: 1 }, { channel: solo, data: 2 }]);
      await waitFor(() => tabs[1]!.tab.received.length === 2, 10_000, 'both events in the second page');
      expect(await server.streams(solo)).to.equal(1);

      tabs[1]!.close();
      await waitFor(async () => (await server.streams(solo)) === 0, 10_000, 'the stream to drop the vanished page\'s channel');
      await server.publish(shared, 3);
      await waitFor(() => tabs[0]!.tab.received.length === 2, 10_000, 'the remaining page to keep receiving');
      expect(tabs[0]!.tab.received.map((event) => event.data)).to.deep.equal([1, 3]);
      expect(await server.streams(prefix)).to.equal(1);
    });
  }
});
