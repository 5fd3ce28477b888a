/**
 * Server-side rendering with the elements, as a Next.js or Nuxt app does it:
 * React 19 and Vue 3 render their markup in Node with `cometkit/components`
 * imported, without a DOM, a client or a connection. What the pages do in a
 * browser is tested in test/browser/frameworks.test.ts; importing every
 * entry of the packed package in Node, in test/node/package.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createElement } from 'react';
import { renderToString as renderReact } from 'react-dom/server';
import { createSSRApp, h } from 'vue';
import { renderToString as renderVue } from 'vue/server-renderer';
import '../../components/index.js';

const strings = { empty: 'Nothing yet.' };

describe('server-side rendering with the elements', () => {
  it('React 19 renders them with their primitive props as attributes', () => {
    const html = renderReact(
      createElement(
        'comet-connection',
        { url: 'https://push.example.com/comet' },
        createElement('comet-status', { 'hide-transport': true }),
        createElement('comet-feed', { channel: 'news', limit: 10, strings, renderItem: () => null }),
      ),
    );
    assert.equal(
      html,
      '<comet-connection url="https://push.example.com/comet"><comet-status hide-transport=""></comet-status><comet-feed channel="news" limit="10"></comet-feed></comet-connection>',
    );
  });

  it('Vue 3 renders them with their primitive bound values as attributes', async () => {
    const app = createSSRApp({
      render: () =>
        h('comet-connection', { url: 'https://push.example.com/comet' }, [
          h('comet-status', { hideTransport: true }),
          h('comet-feed', { channel: 'news', limit: 10, strings }),
        ]),
    });
    const html = await renderVue(app);
    // An attribute under the name bound; in the browser, Vue sets the `hideTransport` property instead (frameworks.test.ts).
    assert.equal(
      html,
      '<comet-connection url="https://push.example.com/comet"><comet-status hideTransport="true"></comet-status><comet-feed channel="news" limit="10"></comet-feed></comet-connection>',
    );
  });
});
