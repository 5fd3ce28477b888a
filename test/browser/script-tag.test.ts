/**
 * The script-tag use, end to end: the classic bundle loaded from the push
 * server's origin (not the page's), a default client from `data-url`, and a
 * `<comet-feed>` in plain HTML rendering live events — hostile ones as text.
 * Needs the build (`npm test` builds before the browser tests).
 */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

declare global {
  interface Window {
    CometKit?: { getDefaultClient(): CometClient | undefined; createClient: unknown };
    __pwned?: boolean;
  }
}

const server = getTestServer();

/** Everything the feed shows, as text, and every element inside it, across nested shadow roots. */
function walk(root: ShadowRoot | Element): { text: string; elements: Element[] } {
  const elements: Element[] = [];
  const visit = (node: ParentNode): void => {
    for (const element of node.querySelectorAll('*')) {
      elements.push(element);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  visit(root);
  return { text: root.textContent ?? '', elements };
}

describe('script tag from another origin', () => {
  before(async () => {
    const script = document.createElement('script');
    script.src = `${server.url}/dist/cometkit.iife.js`;
    script.dataset['url'] = server.comet;
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${script.src} did not load: is the package built?`));
      document.head.append(script);
    });
  });

  it('exposes window.CometKit, defines the elements and configures the default client', () => {
    expect(new URL(server.url).origin).to.not.equal(location.origin);
    expect(window.CometKit?.createClient).to.be.a('function');
    expect(customElements.get('comet-feed')).to.be.a('function');
    expect(customElements.get('comet-connection')).to.be.a('function');
    expect(window.CometKit!.getDefaultClient()).to.not.equal(undefined);
  });

  it('renders live events in <comet-feed>, newest first, hostile markup as inert text', async () => {
    const channel = uniqueChannel();
    const feed = document.createElement('comet-feed');
    feed.setAttribute('channel', channel);
    feed.setAttribute('limit', '3');
    document.body.append(feed);
    try {
      const client = window.CometKit!.getDefaultClient()!;
      await waitFor(() => client.state === 'open', 5000, 'the default client to open');

      const hostile = '<img src=x onerror="window.__pwned=true"><script>window.__pwned=true</script>';
      await server.publish(channel, { title: hostile });
      await waitFor(() => walk(feed.shadowRoot!).text.includes(hostile), 3000, 'the hostile event as text');
      const { elements } = walk(feed.shadowRoot!);
      expect(elements.filter((el) => el.localName === 'img' || el.localName === 'script')).to.deep.equal([]);
      expect(window.__pwned).to.equal(undefined);

      await server.publishMany(['one', 'two', 'three'].map((title) => ({ channel, data: { title } })));
      await waitFor(() => walk(feed.shadowRoot!).text.includes('three'), 3000, 'the newest event');
      const text = walk(feed.shadowRoot!).text;
      // limit="3": the oldest (hostile) item is gone, and the newest comes first.
      expect(text).to.not.include(hostile);
      expect(text.indexOf('three')).to.be.lessThan(text.indexOf('two'));
      expect(text.indexOf('two')).to.be.lessThan(text.indexOf('one'));
    } finally {
      feed.remove();
    }
  });
});
