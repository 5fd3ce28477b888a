/**
 * One client per page without ceremony: elements outside a
 * `<comet-connection>` use the client `configure()` set, else the first
 * one `createClient()` made. The first test is README section 3 as written
 * (its calls, its import of the elements, an element in the page with no
 * connection around it), against the real server.
 */
import { expect } from '@esm-bundle/chai';
import { configure, createClient, getDefaultClient, type CometClient } from '../../src/index.js';
import '../../components/index.js';
import type { CometFeed } from '../../components/comet-feed/comet-feed.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { captureWarnings } from '../support/warnings.js';

const server = getTestServer();
const made: CometClient[] = [];
const elements: Element[] = [];

function feedFor(channel: string, parent: Element = document.body): CometFeed {
  const feed = document.createElement('comet-feed') as CometFeed;
  feed.setAttribute('channel', channel);
  parent.append(feed);
  elements.push(feed);
  return feed;
}

const itemTexts = (feed: CometFeed): string[] => [...(feed.shadowRoot?.querySelectorAll('[part~="text"]') ?? [])].map((el) => el.textContent ?? '');

/** Publishes until the feed shows an event: the first may come before its stream carries the channel (then history shows it). */
async function showsEvents(feed: CometFeed, channel: string): Promise<void> {
  await server.publish(channel, { title: 'first' });
  await waitFor(() => itemTexts(feed).includes('first'), 8000, 'the feed to show the event');
}

describe('the default client', function () {
  this.timeout(30_000);
  const warnings = captureWarnings({ echo: true });

  afterEach(() => {
    for (const element of elements.splice(0)) element.remove();
    for (const client of made.splice(0)) client.close();
  });

  it("README section 3 as written: createClient({ url }) and import 'cometkit/components' make a <comet-feed> in the page show events", async () => {
    const channel = uniqueChannel();
    // The section's calls, with the harness's token route where the README has the dev server's.
    const client = createClient({ url: server.comet, token: () => server.token({ sub: 'ada', channels: [channel] }) });
    made.push(client);
    const events: unknown[] = [];
    const errors: string[] = [];
    client.subscribe(channel, (event) => events.push(event.data));
    client.addEventListener('error', (e) => errors.push(e.error.code));
    expect(await client.history(channel, { limit: 20 })).to.deep.equal([]);
    const feed = feedFor(channel);
    await waitFor(() => feed.shadowRoot?.textContent?.includes('No events yet.') ?? false, 8000, 'the feed to load its history');
    await showsEvents(feed, channel);
    await waitFor(() => events.length === 1, 5000, 'the subscription to get the event');
    expect(getDefaultClient()).to.equal(client);
    expect(errors).to.deep.equal([]);
    expect(warnings().filter((text) => /^cometkit \[(no-client|default-client-ambiguous)\]/.test(text))).to.deep.equal([]);
  });

  it('an element inside a <comet-connection> uses the connection, the others the page default', async () => {
    const channel = uniqueChannel();
    const client = createClient({ url: server.comet, hub: uniqueChannel('t.hub') });
    made.push(client);
    const connection = document.createElement('comet-connection') as HTMLElement & { client?: CometClient };
    connection.setAttribute('url', server.comet);
    elements.push(connection);
    const inside = feedFor(channel, connection);
    document.body.append(connection);
    const outside = feedFor(channel);
    await waitFor(() => connection.client !== undefined, 5000, 'the connection client');
    expect(connection.client).not.to.equal(client);
    await showsEvents(outside, channel);
    await waitFor(() => itemTexts(inside).includes('first'), 8000, 'the feed inside the connection');
  });

  it('a client made after the first was closed takes over (a component that closes on unmount and makes one on mount)', async () => {
    const channel = uniqueChannel();
    const hub = uniqueChannel('t.hub');
    const early = createClient({ url: server.comet, hub });
    made.push(early);
    const feed = feedFor(channel);
    early.close();
    const later = createClient({ url: server.comet, hub });
    made.push(later);
    expect(getDefaultClient()).to.equal(later);
    await showsEvents(feed, channel);
  });

  it('configure() overrides the first client made; several clients with no configure() get one development warning', async () => {
    const channel = uniqueChannel();
    const one = createClient({ url: server.comet, hub: uniqueChannel('t.hub') });
    const two = createClient({ url: server.comet, hub: uniqueChannel('t.hub') });
    made.push(one, two);
    const feed = feedFor(channel);
    feedFor(uniqueChannel());
    await waitFor(() => warnings().some((text) => text.startsWith('cometkit [default-client-ambiguous]')), 8000, 'the ambiguity warning');
    expect(warnings().filter((text) => text.startsWith('cometkit [default-client-ambiguous]'))).to.have.length(1);
    configure(two);
    expect(getDefaultClient()).to.equal(two);
    await showsEvents(feed, channel);
    expect(two.state).to.equal('open');
  });
});
