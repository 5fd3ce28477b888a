/**
 * `cometkit/react` (under `<StrictMode>`, React's development build, with
 * React 19 and with React 18, the two majors of the peer range) and
 * `cometkit/vue`, in pages built with Vite from test/pages/bindings/ (see
 * test/support/framework-pages.ts), against the real server, counting
 * streams where the server sees them: one stream for a panel however often
 * StrictMode or a remount runs its effects, each event once, and none left
 * once the panel is gone.
 */
import { expect } from '@esm-bundle/chai';
import { createClient } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { openFramePage } from '../support/frame-page.js';
import type { View } from '../pages/bindings/shared.js';

const server = getTestServer();

interface BindingsPage {
  readonly frame: HTMLIFrameElement;
  readonly errors: string[];
  show(view: View): void;
  configure(): void;
  text(selector: string): string | undefined;
  list(selector: string): string[];
}

/** Each page as test/support/framework-pages.ts builds it; `react` is the version the React pages must hold. */
const pages = [
  { name: 'react', title: 'cometkit/react', path: 'bindings/react', react: /^19\./ },
  { name: 'react18', title: 'cometkit/react on React 18', path: 'bindings-react18/react', react: /^18\./ },
  { name: 'vue', title: 'cometkit/vue', path: 'bindings/vue', react: undefined },
] as const;
type PageName = (typeof pages)[number]['name'];

async function openPage(framework: PageName, settings: Record<string, string>): Promise<BindingsPage> {
  const { path } = pages.find((page) => page.name === framework)!;
  const src = `/__frameworks__/${path}/index.html?${new URLSearchParams(settings)}`;
  const { frame, view, errors } = await openFramePage(src, `${framework} bindings page`);
  await waitFor(() => view.bindingsPage !== undefined, 8000, `the ${framework} page to start`);
  const document_ = (): Document => frame.contentDocument!;
  return {
    frame,
    errors,
    show: (next) => view.bindingsPage!.show(next),
    configure: () => view.bindingsPage!.configure(),
    text: (selector) => document_().querySelector(selector)?.textContent ?? undefined,
    list: (selector) => [...document_().querySelectorAll(selector)].map((node) => node.textContent ?? ''),
  };
}

for (const { name: framework, title, react } of pages) {
  describe(title, function () {
    this.timeout(30_000);
    let page: BindingsPage | undefined;
    afterEach(() => {
      const errors = page?.errors ?? [];
      page?.frame.remove();
      page = undefined;
      expect(errors, 'errors in the page').to.deep.equal([]);
    });

    it('keeps one stream through StrictMode and a remount, delivers each event once, and releases it on unmount', async () => {
      const prefix = uniqueChannel(`t.bind-${framework}`);
      const channel = `${prefix}.news`;
      page = await openPage(framework, { url: server.comet, hub: prefix, channel });
      const shown = page;
      const events = (): string[] => shown.list('#events li');

      shown.show({ panel: 'events', generation: 1 });
      await waitFor(() => shown.text('#live') === 'live', 8000, `the channel live (shows "${shown.text('#live')}")`);
      await waitFor(async () => (await server.streams(prefix)) === 1, 8000, 'one open stream');
      expect(await server.streamsOpened(prefix), 'streams opened for the panel').to.equal(1);
      if (react) {
        expect(shown.frame.contentDocument!.body.dataset['react'], 'the React the page was built with').to.match(react);
        expect(shown.frame.contentDocument!.body.dataset['mounts'], 'StrictMode set the effects up twice').to.equal('2');
      }

      await server.publishMany([1, 2, 3].map((n) => ({ channel, data: { n } })));
      await waitFor(() => events().length >= 3, 8000, `three events (shows ${JSON.stringify(events())})`);

      // A new panel in place of the old one, in one render (a route change; under StrictMode its effects run twice more).
      shown.show({ panel: 'events', generation: 2 });
      await waitFor(() => shown.frame.contentDocument!.querySelector('#panel')?.getAttribute('data-generation') === '2', 5000, 'the new panel');
      await server.publish(channel, { n: 4 });
      await waitFor(() => events().length >= 4, 8000, `the fourth event (shows ${JSON.stringify(events())})`);
      // Any event delivered twice would be here by now: the server sent the last one after it.
      await server.publish(channel, { n: 5 });
      await waitFor(() => events().includes('5'), 8000, `the fifth event (shows ${JSON.stringify(events())})`);
      expect(events(), 'each event once, in order, kept across the remount').to.deep.equal(['1', '2', '3', '4', '5']);
      expect(await server.streamsOpened(prefix), 'the stream was kept').to.equal(1);
      expect(await server.streams(prefix)).to.equal(1);

      shown.show({ panel: null, generation: 3 });
      await waitFor(async () => (await server.streams(prefix)) === 0, 8000, 'the stream released once the panel is gone');
      expect(await server.streamsOpened(prefix)).to.equal(1);
    });

    it('waits for a default client configured after the panel mounted', async () => {
      const prefix = uniqueChannel(`t.bind-${framework}-late`);
      const channel = `${prefix}.news`;
      page = await openPage(framework, { url: server.comet, hub: prefix, channel, late: '1' });
      const shown = page;
      shown.show({ panel: 'events', generation: 1 });
      await waitFor(() => shown.text('#live') === 'waiting', 5000, 'the panel without a client');
      expect(await server.streamsOpened(prefix), 'nothing to connect with yet').to.equal(0);
      shown.configure();
      await waitFor(() => shown.text('#live') === 'live', 8000, `the channel live once configured (shows "${shown.text('#live')}")`);
      await server.publish(channel, { n: 1 });
      await waitFor(() => shown.list('#events li').join() === '1', 8000, `the event (shows ${JSON.stringify(shown.list('#events li'))})`);
      expect(await server.streamsOpened(prefix)).to.equal(1);
    });

    it('follows presence and the inbox counts with the default client', async () => {
      const prefix = uniqueChannel(`t.bind-${framework}-people`);
      const channel = `${prefix}.room`;
      const user = `ada-${prefix}`;
      const token = await server.token({ sub: user, name: 'Ada', channels: ['t.*', 'presence:t.*'] });
      page = await openPage(framework, { url: server.comet, hub: prefix, channel, token });
      const shown = page;

      shown.show({ panel: 'people', generation: 1 });
      await waitFor(() => shown.text('#members') === user, 8000, `the roster to hold the page's user (shows "${shown.text('#members')}")`);
      await waitFor(() => shown.text('#unread') === '0', 8000, `the inbox counts (shows "${shown.text('#unread')}")`);
      await server.notify(user, { title: 'hello' });
      await waitFor(() => shown.text('#unread') === '1', 8000, `the count to follow a new notification (shows "${shown.text('#unread')}")`);

      shown.show({ panel: 'people', generation: 2 });
      await server.notify(user, { title: 'again' });
      await waitFor(() => shown.text('#unread') === '2', 8000, `the new panel to follow the counts (shows "${shown.text('#unread')}")`);
      expect(shown.text('#members')).to.equal(user);

      // The roster's channel, as another member reads it: the remount did not leave and join again; the unmount left.
      const reader = createClient({ url: server.comet, token, host: 'single-tab', hub: `${prefix}-reader` });
      try {
        const presenceEvents = async (): Promise<string[]> => (await reader.history(`presence:${channel}`)).map((event) => event.type);
        expect(await presenceEvents(), 'one join, no leave, through StrictMode and the remount').to.deep.equal(['presence.join']);
        shown.show({ panel: null, generation: 3 });
        await waitFor(async () => (await presenceEvents()).join() === 'presence.join,presence.leave', 8000, 'the roster released once the panel is gone');
      } finally {
        reader.close();
      }
    });
  });
}
