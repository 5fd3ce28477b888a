/**
 * One upstream connection per browser: pages of one origin share one stream
 * through the hub, each page gets its own channels' events, and pages coming
 * and going lose or double nothing. Run for both shared hosts.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl, ids, openTabs, type TabConfig, type TestTab } from './tabs.js';

const server = getTestServer();

const hosts: ReadonlyArray<{ name: string; config: Pick<TabConfig, 'host' | 'workerUrl'> }> = [
  { name: 'SharedWorker host', config: { workerUrl: hubWorkerUrl } },
  { name: 'leader-tab host', config: { host: 'leader-tab' } },
];

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

for (const { name, config } of hosts) {
  describe(`one connection per browser: ${name}`, function () {
    this.timeout(30_000);
    let tabs: TestTab[] = [];
    afterEach(() => {
      for (const tab of tabs) tab.close();
      tabs = [];
    });

    it('serves 5 pages with 1 upstream stream, each page getting only its own channels', async () => {
      const prefix = uniqueChannel('t.hub');
      const all = `${prefix}.all`;
      const own = (i: number): string => `${prefix}.own${i}`;
      tabs = await openTabs(5, (i) => ({ url: server.comet, hub: prefix, ...config, channels: [all, own(i)] }));
      for (const tab of tabs) expect(tab.tab.client.host).to.equal(config.host ?? 'shared-worker');

      const published: CometEvent[] = [];
      published.push(await server.publish(all, { to: 'all' }));
      for (let i = 0; i < 5; i++) published.push(await server.publish(own(i), { to: i }));
      await waitFor(() => tabs.every((tab) => tab.tab.received.length >= 2), 10_000, 'every page to get its 2 events');
      await waitFor(async () => (await server.streams(prefix)) === 1, 5000, 'the superseded streams to close');

      // A second round, once settled: still exactly one stream, and nothing more than each page's own events.
      published.push(await server.publish(all, { to: 'all', round: 2 }));
      for (let i = 0; i < 5; i++) published.push(await server.publish(own(i), { to: i, round: 2 }));
      await waitFor(() => tabs.every((tab) => tab.tab.received.length >= 4), 10_000, 'every page to get its 4 events');
      expect(await server.streams(prefix)).to.equal(1);

      tabs.forEach((tab, i) => {
        const expected = published.filter((event) => event.channel === all || event.channel === own(i)).map((event) => event.id);
        expect(ids(tab.tab.received), `events of ${tab.name}`).to.have.members(expected);
        expect(tab.tab.received).to.have.length(4);
        expect(tab.tab.errors, `errors in ${tab.name}`).to.deep.equal([]);
      });
    });

    it('loses and doubles nothing while pages close in random order during 1,000 events', async () => {
      // A new hub resumes each page from what the page has; the server can replay only what its history
      // still holds, and a page further behind is told of a gap (client.test.ts covers that). So the
      // publisher waits whenever a page falls half a history behind: pages still close mid-stream, lagging.
      const { historySize } = await server.info();
      const prefix = uniqueChannel('t.hub');
      const channels = [`${prefix}.a`, `${prefix}.b`, `${prefix}.c`];
      // Every page holds channel a; b and c alternate, so closing pages also changes the stream's channel set.
      const held = (index: number): Set<string> => new Set([channels[0]!, channels[1 + (index % 2)]!]);
      tabs = await openTabs(5, (i) => ({ url: server.comet, hub: prefix, ...config, channels: [...held(i)] }));

      // Warm-up: every page receives on every channel it holds before the counted run starts.
      const warmUp = await server.publishMany(channels.map((channel) => ({ channel, data: 'warm-up' })));
      await waitFor(() => tabs.every((tab) => tab.tab.received.length === 2), 10_000, 'the warm-up events');
      const start = tabs.map((tab) => tab.tab.received.length);

      const closing = shuffle(tabs).slice(0, 3);
      const remaining = tabs.filter((tab) => !closing.includes(tab));
      const published: CometEvent[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const events = Array.from({ length: 50 }, (_, k) => ({ channel: channels[(batch * 50 + k) % 3]!, data: batch * 50 + k }));
        published.push(...(await server.publishMany(events)));
        const open = tabs.filter((tab) => tab.frame.isConnected);
        const behind = (tab: TestTab): number => {
          const index = tabs.indexOf(tab);
          return published.filter((event) => held(index).has(event.channel)).length - (tab.tab.received.length - start[index]!);
        };
        await waitFor(() => open.every((tab) => behind(tab) < historySize / 2), 20_000, 'every page within half a history of the publisher');
        // A page closes after batches 4, 9 and 14, while the stream is busy.
        if (batch % 5 === 4 && closing.length > 0) closing.shift()!.close();
      }
      expect(published).to.have.length(1000);
      expect(warmUp).to.have.length(3);

      for (const tab of remaining) {
        const index = tabs.indexOf(tab);
        const mine = held(index);
        const expected = published.filter((event) => mine.has(event.channel));
        // On a timeout the comparison below still runs, so a failure names the missing or doubled ids.
        await waitFor(() => tab.tab.received.length - start[index]! >= expected.length, 20_000, `${tab.name} to get ${expected.length} events`).catch(
          () => undefined,
        );
        const got = tab.tab.received.slice(start[index]);
        // A gap would mean the server no longer held what a page still lacked when a new hub resumed it.
        expect(tab.tab.gaps, `gaps reported to ${tab.name}`).to.deep.equal([]);
        for (const channel of mine) {
          expect(ids(got, channel), `${tab.name}, ${channel}: every event once, in order`).to.deep.equal(ids(expected, channel));
        }
        expect(got).to.have.length(expected.length);
      }
      await waitFor(async () => (await server.streams(prefix)) === 1, 5000, 'one stream for the remaining pages');
    });
  });
}
