/**
 * The autoloading script tag, end to end: the loader from the push server's
 * origin (not the page's), the SDK configured from `data-url`, and each
 * element's module fetched only when that element first appears — in the
 * page or in a shadow root the page's own elements render. Needs the build
 * (`npm test` builds before the browser tests).
 */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();

/** Which module each file of the autoload folder holds (shared chunks are named by their row alone). */
let moduleNames: Record<string, string> = {};

/** Module files fetched from the autoload folder so far, by the name the build gave them. */
function fetchedModules(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.includes('/dist/autoload/'))
    .map((path) => path.slice(path.lastIndexOf('/') + 1))
    .map((file) => moduleNames[file] ?? file);
}

function defaultClient(): CometClient | undefined {
  return (window as { CometKit?: { getDefaultClient(): CometClient | undefined } }).CometKit?.getDefaultClient();
}

describe('autoloading script tag from another origin', function () {
  this.timeout(20_000);

  before(async () => {
    moduleNames = (await (await fetch(`${server.url}/dist/autoload/names.json`)).json()) as Record<string, string>;
    const ready = new Promise((resolve) => document.addEventListener('cometkit-ready', resolve, { once: true }));
    const script = document.createElement('script');
    script.src = `${server.url}/dist/cometkit-autoload.js`;
    script.dataset['url'] = server.comet;
    script.dataset['hub'] = uniqueChannel('t.autoload');
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${script.src} did not load: is the package built?`));
      document.head.append(script);
    });
    await ready;
  });

  it('loads the SDK for data-url, and no element before one appears', () => {
    expect(new URL(server.url).origin).to.not.equal(location.origin);
    expect(defaultClient(), 'the default client from data-url').to.not.equal(undefined);
    expect(defaultClient()!.hostReason).to.be.a('string');
    for (const tag of ['comet-feed', 'comet-status', 'comet-toasts', 'comet-presence', 'comet-bell']) {
      expect(customElements.get(tag), tag).to.equal(undefined);
    }
    expect(fetchedModules().filter((name) => name.startsWith('comet-'))).to.deep.equal([]);
  });

  it('loads an element first rendered inside a shadow root of the page’s own element', async () => {
    class PagePanel extends HTMLElement {
      constructor() {
        super();
        // Closed: the loader only sees it because it watches every shadow root attached.
        const root = this.attachShadow({ mode: 'closed' });
        queueMicrotask(() => {
          root.innerHTML = '<comet-status></comet-status>';
          this.status = root.querySelector('comet-status')!;
        });
      }
      status: Element | undefined;
    }
    customElements.define('page-panel', PagePanel);
    const panel = document.createElement('page-panel') as PagePanel;
    document.body.append(panel);
    try {
      await waitFor(() => customElements.get('comet-status') !== undefined, 10_000, '<comet-status> to be defined');
      expect(panel.status).to.be.instanceOf(customElements.get('comet-status')!);
      expect(fetchedModules()).to.include('comet-status');
      expect(fetchedModules()).to.not.include('comet-feed');
    } finally {
      panel.remove();
    }
  });

  it('renders live events in a <comet-feed> added later, and loads the virtualizer only past 30 items', async () => {
    const channel = uniqueChannel();
    const feed = document.createElement('comet-feed');
    feed.setAttribute('channel', channel);
    feed.setAttribute('limit', '100');
    document.body.append(feed);
    try {
      await waitFor(() => customElements.get('comet-feed') !== undefined, 10_000, '<comet-feed> to be defined');
      await waitFor(() => defaultClient()?.state === 'open', 10_000, 'the default client to open');
      await server.publish(channel, { title: 'first' });
      await waitFor(() => feed.shadowRoot?.textContent?.includes('first') ?? false, 5000, 'the first event');
      expect(fetchedModules().filter((name) => name === 'comet-feed')).to.have.length(1);
      expect(fetchedModules()).to.not.include('virtualize');

      await server.publishMany(Array.from({ length: 35 }, (_, n) => ({ channel, data: { title: `item ${n}` } })));
      await waitFor(() => feed.shadowRoot?.querySelector('[part="list"].virtual') != null, 10_000, 'the list to be virtualized');
      expect(fetchedModules()).to.include('virtualize');
    } finally {
      feed.remove();
    }
  });

  it('loads the context provider only with a <comet-connection>, whose client the elements inside it use, even those connected before it was defined', async () => {
    expect(fetchedModules()).to.not.include('context-provider');
    // A <comet-status> defined already (the loader fetched it for the shadow-root test, or for this one) is connected inside the
    // connection before <comet-connection> is defined: its request for a client finds no provider, the late provider must answer it.
    const first = document.createElement('comet-status');
    document.body.append(first);
    await waitFor(() => customElements.get('comet-status') !== undefined, 10_000, '<comet-status> to be defined');
    first.remove();
    const connection = document.createElement('comet-connection');
    connection.setAttribute('url', server.comet);
    connection.setAttribute('hub', uniqueChannel('t.autoload.own'));
    connection.setAttribute('host', 'single-tab');
    const early = document.createElement('comet-status');
    early.setAttribute('verbose', '');
    connection.append(early);
    document.body.append(connection);
    expect(customElements.get('comet-connection'), 'defined only once its module has loaded').to.equal(undefined);
    const details = (status: Element) => (): string => status.shadowRoot?.querySelector('[part="details"]')?.textContent ?? '';
    try {
      await waitFor(() => customElements.get('comet-connection') !== undefined, 10_000, '<comet-connection> to be defined');
      expect(fetchedModules()).to.include('context-provider');
      await waitFor(() => details(early)().startsWith('single-tab: '), 10_000, 'the status connected first to show the connection’s client');
      const status = document.createElement('comet-status');
      status.setAttribute('verbose', '');
      connection.append(status);
      await waitFor(() => details(status)().startsWith('single-tab: '), 10_000, 'the status to show the connection’s client');
      expect(defaultClient()!.host).to.not.equal('single-tab');
    } finally {
      connection.remove();
    }
  });

  it('loads the inbox as one checked module, its wire declarations in it rather than in a file of their own', async () => {
    expect(fetchedModules()).to.not.include('inbox');
    const inbox = await defaultClient()!.inbox();
    expect(inbox.counts, 'an inbox, not yet started').to.equal(undefined);
    expect(fetchedModules().filter((name) => name === 'inbox')).to.have.length(1);
    expect(fetchedModules()).to.not.include('inbox-protocol');
  });
});
