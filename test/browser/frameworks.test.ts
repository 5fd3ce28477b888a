/**
 * The React 19 and Vue 3 pages of demo/, built with Vite once per run (see
 * test/support/framework-pages.ts) and opened as same-origin iframes, against
 * the real server: what a user of each page sees when events are published,
 * when the page's own state changes what it passes to the elements, and when
 * the panel holding the elements and the SDK hook (or composable) unmounts.
 */
import { expect } from '@esm-bundle/chai';
import type { CometFeed, CometStatus } from '../../components/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { openFramePage } from '../support/frame-page.js';

const server = getTestServer();

interface FrameworkPage {
  readonly frame: HTMLIFrameElement;
  readonly errors: string[];
  query<E extends Element = HTMLElement>(selector: string): E | null;
  /** The checkbox or radio button whose label reads `label`. */
  input(label: string): HTMLInputElement;
}

async function openPage(framework: string, settings: Record<string, string>): Promise<FrameworkPage> {
  const src = `/__frameworks__/${framework}/index.html?${new URLSearchParams(settings)}`;
  const { frame, errors } = await openFramePage(src, `${framework} page`, { width: '800px', height: '600px' });
  const query = <E extends Element>(selector: string): E | null => frame.contentDocument!.querySelector<E>(selector);
  await waitFor(() => query('h1') !== null, 5000, `the ${framework} app to render`);
  return {
    frame,
    errors,
    query,
    input(label) {
      const found = [...frame.contentDocument!.querySelectorAll('label')].find((element) => element.textContent?.trim() === label)?.querySelector('input');
      if (!found) throw new Error(`no input labelled "${label}"`);
      return found;
    },
  };
}

const shadowText = (element: Element | null, selector: string): string[] =>
  [...(element?.shadowRoot?.querySelectorAll(selector) ?? [])].map((node) => node.textContent?.trim() ?? '');

for (const framework of ['react', 'vue'] as const) {
  describe(`${framework} page built with Vite`, function () {
    this.timeout(30_000);
    const prefix = uniqueChannel(`t.${framework}`);
    const news = `${prefix}.news`;
    const ticker = `${prefix}.ticker`;
    let page: FrameworkPage;
    const latest = (): string => page.query('#latest')?.textContent ?? '';
    const feed = (): CometFeed | null => page.query<CometFeed>('comet-feed');
    const status = (): CometStatus | null => page.query<CometStatus>('comet-status');
    const feedTexts = (): string[] => shadowText(feed(), '[part="item"] [part="text"]');
    const feedStatus = (): string => shadowText(feed(), '[part="status"]').join(' ');

    before(async () => {
      page = await openPage(framework, { url: server.comet, prefix, hub: prefix });
    });
    after(() => page?.frame.remove());
    afterEach(() => expect(page.errors, 'errors in the page').to.deep.equal([]));

    it('renders the elements live, with the strings object it passed as a property', async () => {
      expect(page.frame.contentWindow!.customElements.get('comet-feed'), 'the elements are defined').to.be.a('function');
      // The hook's subscription is live, and the feed has read its (empty) history with the page's own wording.
      await waitFor(() => latest() === `Listening on ${news}…`, 8000, `"Listening on ${news}…" (shows "${latest()}")`);
      await waitFor(() => feedStatus() === 'Nothing on this channel yet.', 8000, `the feed's empty text (shows "${feedStatus()}")`);
      await waitFor(() => shadowText(status(), '[part="label"]')[0] === 'Live', 8000, '<comet-status> to say Live');
      expect(feed()!.channel).to.equal(news);
    });

    it('shows a published event through the SDK and in <comet-feed>', async () => {
      await server.publish(news, { title: `first ${framework} headline` }, 'headline');
      await waitFor(() => latest() === `Latest: first ${framework} headline`, 8000, `the hook to show the event (shows "${latest()}")`);
      await waitFor(() => feedTexts()[0] === `first ${framework} headline`, 8000, `the feed to show the event (shows ${JSON.stringify(feedTexts())})`);
    });

    it('passes its state to the elements: limit, hide-transport and channel', async () => {
      await server.publishMany([2, 3, 4, 5].map((n) => ({ channel: news, data: { title: `headline ${n}` } })));
      await waitFor(() => feedTexts().length === 5, 8000, `five items (shows ${JSON.stringify(feedTexts())})`);

      page.input('Only the last 3').click();
      await waitFor(() => feedTexts().length === 3, 5000, `three items once limit is 3 (shows ${JSON.stringify(feedTexts())})`);
      expect(feed()!.limit).to.equal(3);
      expect(feedTexts()).to.deep.equal(['headline 5', 'headline 4', 'headline 3']);

      await waitFor(() => shadowText(status(), '[part="transport"]').length === 1, 8000, '<comet-status> to name its transport');
      page.input('Show the transport').click();
      await waitFor(() => shadowText(status(), '[part="transport"]').length === 0, 5000, 'the transport to be hidden');
      // React 19 sets `hide-transport` as an attribute (no property has that name); the Vue page binds the property `hideTransport`.
      expect(status()!.hideTransport).to.equal(true);
      expect(status()!.getAttribute('hide-transport')).to.equal(framework === 'react' ? '' : null);

      page.input(ticker).click();
      await waitFor(() => latest() === `Listening on ${ticker}…`, 8000, `the hook to follow the channel (shows "${latest()}")`);
      await waitFor(() => feedStatus() === 'Nothing on this channel yet.', 8000, `the feed to follow the channel (shows "${feedStatus()}")`);
      expect(feed()!.getAttribute('channel'), 'channel is reflected').to.equal(ticker);
      await server.publish(ticker, { title: 'ticker 1' });
      await waitFor(() => latest() === 'Latest: ticker 1' && feedTexts().join() === 'ticker 1', 8000, `the ticker event in both (shows "${latest()}", ${JSON.stringify(feedTexts())})`);
    });

    it('unmounting the panel ends its subscriptions, mounting it again resumes them', async () => {
      expect(await server.streams(prefix), 'a stream carries the page channel').to.be.greaterThan(0);
      page.input('Live panel').click();
      await waitFor(() => page.query('comet-feed') === null, 5000, 'the panel to unmount');
      await waitFor(async () => (await server.streams(prefix)) === 0, 8000, 'no stream left carrying the page channels');

      page.input('Live panel').click();
      await waitFor(() => latest() === `Listening on ${ticker}…`, 8000, `the hook live again (shows "${latest()}")`);
      // A new <comet-feed> reads the history it missed.
      await waitFor(() => feedTexts().join() === 'ticker 1', 8000, `the feed to show history (shows ${JSON.stringify(feedTexts())})`);
      expect(await server.streams(prefix)).to.be.greaterThan(0);
    });
  });
}
