/**
 * The Back button, in every host: a page sent to another page and back
 * leaves its hub while away (the last tab releases the upstream, a leader
 * steps down), comes back live, and receives what was published meanwhile
 * once, in order. A real navigation with the back/forward cache where the
 * engine keeps pages in it under the test runner (WebKit), else the
 * lifecycle events of one (see lifecycle.ts); each title says which.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { engine } from '../../support/engine.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { backForwardCache, comeBack, goAway, openWindowTab, type WindowTab } from './lifecycle.js';
import { hubWorkerUrl, ids, openTab, type TestTab } from './tabs.js';

const HOSTS = ['shared-worker', 'leader-tab', 'single-tab'] as const;

// Checked once, before the titles are written, so each says how the page went away.
const cache = await backForwardCache();
const how = cache.works ? 'through the back/forward cache' : `with simulated lifecycle events: this engine ${cache.why}`;

describe(`back and forward (${how})`, function () {
  // Each test goes away and back, and waits on the server between steps.
  this.timeout(40_000);
  const opened: Array<WindowTab | TestTab> = [];
  afterEach(() => {
    for (const tab of opened.splice(0)) tab.close();
  });

  const server = getTestServer();
  const publish = async (channel: string, count: number): Promise<CometEvent[]> => {
    const events: CometEvent[] = [];
    for (let n = 0; n < count; n++) events.push(await server.publish(channel, { n }));
    return events;
  };

  for (const host of HOSTS) {
    // WebKit suspends a SharedWorker together with its pages in the cache, before the worker reads their
    // goodbye: its stream stays open at the server until a page comes back (ARCHITECTURE.md, "Page lifecycle").
    const workerSuspended = host === 'shared-worker' && cache.works && engine() === 'webkit';
    const leaves = workerSuspended ? 'its suspended worker keeps the stream while away' : 'leaves the server while away';
    it(`${host}: ${leaves}, comes back live and gets what it missed once, in order`, async () => {
      const channel = uniqueChannel();
      const page = await openWindowTab(host, {
        url: server.comet,
        hub: `bf-${Math.random().toString(36).slice(2)}`,
        host,
        workerUrl: hubWorkerUrl,
        channels: [channel],
      });
      opened.push(page);
      const { tab } = page;
      await tab.ready;
      expect(tab.client.host).to.equal(host);
      const before = await publish(channel, 2);
      await waitFor(() => tab.received.length === 2, 5000, 'the events before leaving');

      await goAway(page, cache.works);
      // Its only tab gone, the hub holds no stream: the server sees it leave.
      if (!workerSuspended) await waitFor(async () => (await server.streams(channel)) === 0, 5000, 'the stream to close while away');
      expect(tab.client.state, 'not live while away').to.equal('reconnecting');
      const during = await publish(channel, 3);

      await comeBack(page, cache.works);
      await waitFor(() => tab.received.length >= 5, 5000, 'the events published while away');
      await waitFor(() => tab.client.state === 'open', 5000, 'open again');
      const after = await publish(channel, 1);
      await waitFor(() => tab.received.length >= 6, 5000, 'a live event after coming back');

      expect(ids(tab.received)).to.deep.equal([...before, ...during, ...after].map((event) => event.id));
      expect(await server.streams(channel), 'one stream again').to.equal(1);
      expect(tab.states.slice(tab.states.lastIndexOf('reconnecting'))).to.deep.equal(['reconnecting', 'open']);
      // Events replayed on return are old by nature; they are no sign of a buffering proxy.
      expect(tab.client.decisions.map((decision) => decision.reason)).to.not.include('events-late');
      expect(tab.errors).to.deep.equal([]);
    });
  }

  for (const host of HOSTS) {
    it(`${host}: away for 8 s with the default 15 s beats while events are published, back on SSE with no step down (${host === 'shared-worker' && cache.works ? 'its worker suspended with the page' : 'the stream left while away'})`, async () => {
      const channel = uniqueChannel();
      const slow = `${server.url}/slow`;
      const publishSlow = async (count: number): Promise<CometEvent[]> => {
        const events: CometEvent[] = [];
        for (let n = 0; n < count; n++) {
          const res = await fetch(`${server.url}/control/publish?server=slow`, { method: 'POST', body: JSON.stringify({ channel, data: { n } }), headers: { 'Content-Type': 'application/json' } });
          events.push((await res.json()) as CometEvent);
        }
        return events;
      };
      const page = await openWindowTab(`${host} slow`, { url: slow, hub: `bf-slow-${Math.random().toString(36).slice(2)}`, host, workerUrl: hubWorkerUrl, channels: [channel] });
      opened.push(page);
      const { tab } = page;
      await tab.ready;
      const before = await publishSlow(1);
      await waitFor(() => tab.received.length === 1, 5000, 'the event before leaving');

      await goAway(page, cache.works);
      const during = await publishSlow(4);
      // The length of the user's visit elsewhere, not a wait for a result: longer than the lateness that marks
      // an event (4 s here), shorter than the half beat (7.5 s) the pause detector used to look at.
      await new Promise((resolve) => setTimeout(resolve, 8000));
      await comeBack(page, cache.works);
      await waitFor(() => tab.received.length >= 5, 10_000, 'the events published while away');
      await waitFor(() => tab.client.state === 'open', 10_000, 'open again');
      const after = await publishSlow(1);
      await waitFor(() => tab.received.length >= 6, 10_000, 'a live event after coming back');

      expect(ids(tab.received)).to.deep.equal([...before, ...during, ...after].map((event) => event.id));
      // A hub started again on return begins with its own `initial`; none may name another transport.
      expect(tab.client.decisions.filter((decision) => decision.transport !== 'sse'), JSON.stringify(tab.client.decisions)).to.deep.equal([]);
      expect(tab.client.transport).to.equal('sse');
      expect(tab.errors).to.deep.equal([]);
    });
  }

  it('leader-tab: a leader put in the cache steps down, the other tab keeps receiving, and the leader catches up on return', async () => {
    const channel = uniqueChannel();
    const hub = `bf-${Math.random().toString(36).slice(2)}`;
    const config = { url: server.comet, hub, host: 'leader-tab' as const, channels: [channel] };
    const leader = await openWindowTab('leader', config);
    opened.push(leader);
    await leader.tab.ready;
    const other = await openTab('other', config);
    opened.push(other);
    await other.tab.ready;
    const first = await publish(channel, 1);
    await waitFor(() => leader.tab.received.length === 1 && other.tab.received.length === 1, 5000, 'the first event in both');

    await goAway(leader, cache.works);
    const during = await publish(channel, 3);
    await waitFor(() => other.tab.received.length === 4, 5000, 'the other tab to keep receiving');
    expect(ids(other.tab.received)).to.deep.equal([...first, ...during].map((event) => event.id));
    expect(leader.tab.received.length, 'nothing reaches a page away').to.equal(1);

    await comeBack(leader, cache.works);
    await waitFor(() => leader.tab.received.length === 4, 5000, 'the leader to catch up');
    const after = await publish(channel, 1);
    await waitFor(() => leader.tab.received.length === 5 && other.tab.received.length === 5, 5000, 'a live event in both');
    const all = [...first, ...during, ...after].map((event) => event.id);
    expect(ids(leader.tab.received)).to.deep.equal(all);
    expect(ids(other.tab.received)).to.deep.equal(all);
    expect(await server.streams(channel), 'still one stream for both tabs').to.equal(1);
  });

  it('leader-tab: a frozen leader steps down, the other tab keeps receiving, and the leader catches up when it resumes', async () => {
    const channel = uniqueChannel();
    const hub = `bf-${Math.random().toString(36).slice(2)}`;
    const config = { url: server.comet, hub, host: 'leader-tab' as const, channels: [channel] };
    // Chromium freezes background tabs (Energy Saver, Android) with `freeze`; no engine lets a test do it for real.
    const leader = await openTab('leader', config);
    opened.push(leader);
    await leader.tab.ready;
    const other = await openTab('other', config);
    opened.push(other);
    await other.tab.ready;
    const win = leader.frame.contentWindow as Window & typeof globalThis;

    win.document.dispatchEvent(new win.Event('freeze'));
    const during = await publish(channel, 3);
    await waitFor(() => other.tab.received.length === 3, 5000, 'the other tab to keep receiving');
    expect(leader.tab.client.state, 'not live while frozen').to.equal('reconnecting');

    win.document.dispatchEvent(new win.Event('resume'));
    await waitFor(() => leader.tab.received.length === 3, 5000, 'the leader to catch up');
    await waitFor(() => leader.tab.client.state === 'open', 5000, 'open again');
    expect(ids(leader.tab.received)).to.deep.equal(during.map((event) => event.id));
    expect(ids(other.tab.received)).to.deep.equal(during.map((event) => event.id));
  });
});
