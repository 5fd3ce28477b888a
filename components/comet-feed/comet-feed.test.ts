import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { html } from 'lit';
import '../index.js';
import type { CometFeed } from './comet-feed.js';
import { createClient, type CometClient, type EventHandler, type SubscribeOptions } from '../../src/index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { HOSTILE, channelLive, cleanup, expectNoAxeViolations, expectRenderedAsText, mount, nextEvent, part, parts } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';

const server = getTestServer();

async function liveFeed(attributes = '', connection: Record<string, string> = {}): Promise<{ feed: CometFeed; channel: string }> {
  const channel = uniqueChannel();
  const { element, connection: wrapper } = mount<CometFeed>(`<comet-feed channel="${channel}" ${attributes}></comet-feed>`, connection);
  await channelLive(wrapper, channel);
  await waitFor(() => element.shadowRoot?.textContent?.includes('No events yet.') ?? false, 5000, 'history loaded');
  return { feed: element, channel };
}

const texts = (feed: CometFeed) => parts(feed, 'text').map((el) => el.textContent);

describe('<comet-feed>', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  it('shows history, then live events newest first, firing comet-feed-item', async () => {
    const channel = uniqueChannel();
    await server.publish(channel, { title: 'from history' });
    const { element: feed, connection } = mount<CometFeed>(`<comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => texts(feed).includes('from history'), 5000, 'history shown');
    await channelLive(connection, channel);
    const item = nextEvent<CustomEvent<{ event: CometEvent }>>(feed, 'comet-feed-item');
    await server.publish(channel, { title: 'live one' });
    expect((await item).detail.event.data).to.deep.equal({ title: 'live one' });
    await waitFor(() => texts(feed).length === 2, 5000, 'two items');
    expect(texts(feed)).to.deep.equal(['live one', 'from history']);
  });

  it('shows an event once when the history read at start holds it and its live copy comes after', async () => {
    // The order a real server gives only by chance, made certain: events published once the stream
    // carries the channel, read by the start-up history, and delivered live only after history is in.
    const channel = uniqueChannel();
    const client = createClient({ url: server.comet, host: 'single-tab' });
    const held: Array<() => void> = [];
    const subscribe = client.subscribe.bind(client);
    client.subscribe = ((name: string, handler: EventHandler, options?: SubscribeOptions) =>
      subscribe(name, (event) => held.push(() => handler(event)), options)) as CometClient['subscribe'];
    const history = client.history.bind(client);
    client.history = (async (name: string, options?: { limit?: number }) => {
      await server.publishMany([1, 2, 3].map((n) => ({ channel, data: `twice? ${n}` })));
      await waitFor(() => held.length === 3, 5000, 'the live copies to reach the client');
      return history(name, options);
    }) as CometClient['history'];
    const wrapper = document.createElement('comet-connection') as HTMLElement & { client?: CometClient };
    wrapper.client = client;
    wrapper.innerHTML = `<comet-feed channel="${channel}"></comet-feed>`;
    document.body.append(wrapper);
    try {
      const feed = wrapper.firstElementChild as CometFeed;
      await waitFor(() => texts(feed).length === 3, 5000, 'history shown');
      for (const deliver of held.splice(0)) deliver();
      await server.publish(channel, 'after');
      await waitFor(() => held.length === 1, 5000, 'a later live event');
      held.splice(0)[0]!();
      await waitFor(() => texts(feed)[0] === 'after', 5000, 'the later event shown');
      expect(texts(feed)).to.deep.equal(['after', 'twice? 3', 'twice? 2', 'twice? 1']);
    } finally {
      wrapper.remove();
      client.close();
    }
  });

  it('holds new events behind an "N new" pill while scrolled, and reveals them on click', async () => {
    const { feed, channel } = await liveFeed('limit="200" style="--comet-feed-height: 10rem"');
    await server.publishMany(Array.from({ length: 40 }, (_, n) => ({ channel, data: `old ${n}` })));
    await waitFor(() => feed.items.length === 40, 5000, '40 items');
    // Past 30 items the list becomes the virtualized one (a new element, once the virtualizer has loaded): scroll that one.
    await waitFor(() => part(feed, 'list')?.classList.contains('virtual') ?? false, 5000, 'the virtualized list');
    await feed.updateComplete;
    const list = part(feed, 'list')!;
    // The virtualizer measures items over a few frames: scroll once there is room to.
    await waitFor(() => {
      list.scrollTop = 400;
      return list.scrollTop > 100;
    }, 3000, 'scrolled');
    await server.publishMany([1, 2, 3].map((n) => ({ channel, data: `new ${n}` })));
    await waitFor(() => feed.pending === 3, 5000, 'three pending');
    await feed.updateComplete;
    const pill = part(feed, 'new-pill')!;
    expect(pill.textContent).to.equal('3 new');
    expect(texts(feed)).not.to.include('new 3');
    const revealed = nextEvent<CustomEvent<{ count: number }>>(feed, 'comet-feed-reveal');
    pill.click();
    expect((await revealed).detail.count).to.equal(3);
    await waitFor(() => texts(feed)[0] === 'new 3', 3000, 'newest shown on top');
    expect(list.scrollTop).to.equal(0);
    expect(part(feed, 'new-pill')).to.equal(undefined);
  });

  it('holds new events while an item has keyboard focus', async () => {
    const { feed, channel } = await liveFeed();
    await server.publishMany([1, 2].map((n) => ({ channel, data: `read ${n}` })));
    await waitFor(() => parts(feed, 'item').length === 2, 5000, 'two items');
    parts(feed, 'item')[1]!.focus();
    await server.publish(channel, 'arrived while reading');
    await waitFor(() => feed.pending === 1, 5000, 'one pending');
    expect(texts(feed)).to.deep.equal(['read 2', 'read 1']);
    expect((feed.shadowRoot!.activeElement as HTMLElement).textContent).to.contain('read 1');
    part(feed, 'new-pill')!.click();
    await waitFor(() => texts(feed)[0] === 'arrived while reading', 3000, 'revealed');
  });

  it('shows relative times in the page language', async () => {
    const wrapper = document.createElement('div');
    wrapper.lang = 'de';
    document.body.append(wrapper);
    try {
      const channel = uniqueChannel();
      const { element: feed, connection } = mount<CometFeed>(`<comet-feed channel="${channel}"></comet-feed>`, {}, wrapper);
      await channelLive(connection, channel);
      await server.publish(channel, 'hallo');
      await waitFor(() => parts(feed, 'time').length === 1, 5000, 'one item');
      expect(part(feed, 'time')!.textContent).to.equal(new Intl.RelativeTimeFormat('de', { numeric: 'auto' }).format(0, 'second'));
    } finally {
      wrapper.remove();
    }
  });

  it('moves focus with arrows, Home and End', async () => {
    const { feed, channel } = await liveFeed();
    await server.publishMany(Array.from({ length: 5 }, (_, n) => ({ channel, data: `k${n}` })));
    await waitFor(() => parts(feed, 'item').length === 5, 5000, 'five items');
    const focusedIndex = () => (feed.shadowRoot!.activeElement as HTMLElement | null)?.dataset['index'];
    parts(feed, 'item')[0]!.focus();
    expect(parts(feed, 'item').filter((item) => item.tabIndex === 0)).to.have.length(1);
    await sendKeys({ press: 'ArrowDown' });
    await waitFor(() => focusedIndex() === '1', 2000, 'second item focused');
    await sendKeys({ press: 'End' });
    await waitFor(() => focusedIndex() === '4', 2000, 'last item focused');
    expect(feed.shadowRoot!.activeElement!.querySelector('[part="text"]')!.textContent).to.equal('k0');
    await sendKeys({ press: 'Home' });
    await waitFor(() => focusedIndex() === '0', 2000, 'first item focused');
  });

  it('keeps 10,000 items with only a screenful in the DOM', async function () {
    // 10,000 live events take a few seconds; on a loaded machine, many more. The wait is for completeness, not speed.
    this.timeout(60_000);
    const { feed, channel } = await liveFeed('limit="10000"');
    for (let batch = 0; batch < 10; batch += 1) {
      await server.publishMany(Array.from({ length: 1000 }, (_, n) => ({ channel, data: `e${batch * 1000 + n}` })));
    }
    await waitFor(() => feed.items.length === 10_000, 45_000, '10,000 items').catch(() => undefined);
    expect(feed.items.length, 'items kept').to.equal(10_000);
    await feed.updateComplete;
    await waitFor(() => texts(feed)[0] === 'e9999', 3000, 'newest on top');
    expect(parts(feed, 'item').length).to.be.within(1, 100);
    expect(feed.items.at(-1)!.data).to.equal('e0');
  });

  it('renders items through renderItem, text staying text', async () => {
    const { feed, channel } = await liveFeed();
    feed.renderItem = (event, context) => html`<b class="custom">${String(event.data)}</b> <i>${context.relativeTime}</i>`;
    await server.publish(channel, HOSTILE);
    await waitFor(() => feed.shadowRoot!.querySelector('.custom') !== null, 5000, 'custom item');
    expect(feed.shadowRoot!.querySelector('.custom')!.textContent).to.equal(HOSTILE);
    expectRenderedAsText(feed);
  });

  it('renders hostile payloads as text', async () => {
    const { feed, channel } = await liveFeed();
    await server.publish(channel, { title: HOSTILE });
    await waitFor(() => texts(feed).length === 1, 5000, 'one item');
    expectRenderedAsText(feed);
  });

  it('shows empty, loading and error states, with retry', async () => {
    const { feed } = await liveFeed();
    expect(part(feed, 'status')!.textContent).to.equal('No events yet.');
    feed.strings = { empty: 'Noch nichts.' };
    await feed.updateComplete;
    expect(part(feed, 'status')!.textContent).to.equal('Noch nichts.');
    // A base URL where no server answers (loopback port 2): history fails, and may work once the server is up.
    const { element: broken } = mount<CometFeed>(`<comet-feed channel="${uniqueChannel()}"></comet-feed>`, { url: 'http://127.0.0.1:2/comet' });
    await waitFor(() => part(broken, 'retry') !== undefined, 5000, 'error state');
    expect(broken.error).not.to.equal('');
    // The click starts a new attempt: the retry button leaves (loading) and comes back when that attempt fails too.
    const retry = part(broken, 'retry')!;
    retry.click();
    await broken.updateComplete;
    expect(retry.isConnected, 'the old retry button is gone while the new attempt runs').to.equal(false);
    expect(broken.shadowRoot!.querySelector('[aria-busy="true"]')).not.to.equal(null);
    await waitFor(() => part(broken, 'retry') !== undefined, 5000, 'the second attempt to fail');
    expect(part(broken, 'retry')).to.not.equal(retry);
  });

  it('offers no Retry for an error that retrying cannot fix (a 404: the base URL is wrong)', async () => {
    const { element: broken } = mount<CometFeed>(`<comet-feed channel="${uniqueChannel()}"></comet-feed>`, { url: `${server.url}/nowhere` });
    await waitFor(() => broken.error !== '', 5000, 'error state');
    await broken.updateComplete;
    expect(broken.error).to.include(`${server.url}/nowhere/`);
    expect(part(broken, 'status')!.textContent).to.include(broken.error);
    expect(part(broken, 'retry')).to.equal(undefined);
  });

  it('has no axe violations, light and dark', async () => {
    const { feed, channel } = await liveFeed();
    await server.publishMany([{ channel, data: { title: 'Hello' }, type: 'greeting' }, { channel, data: 'Second' }]);
    await waitFor(() => parts(feed, 'item').length === 2, 5000, 'two items');
    await expectNoAxeViolations(feed);
    feed.theme = 'dark';
    await feed.updateComplete;
    await expectNoAxeViolations(feed);
  });
});
