/**
 * Server-side rendering with the elements, as a Next.js or Nuxt app does it:
 * React 19 and Vue 3 render their markup in Node with `cometkit/components`
 * imported, without a DOM, a client or a connection; and the hooks of
 * `cometkit/react` and composables of `cometkit/vue` render idle there,
 * subscribing to nothing. What the pages do in a
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
import type { CometClient } from '../../src/index.js';
import * as reactBindings from '../../src/bindings/react.js';
import * as vueBindings from '../../src/bindings/vue.js';

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

/** A client that records what is asked of it: server rendering must ask nothing. */
function recordingClient(): { client: CometClient; calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => () => {
    calls.push(name);
    throw new Error(`${name}() called during server rendering`);
  };
  return { client: { subscribe: record('subscribe'), presence: record('presence'), inbox: record('inbox') } as unknown as CometClient, calls };
}

describe('server-side rendering with the hooks and composables', () => {
  it('imports them without a window and renders React hooks idle, touching no client', () => {
    assert.equal(typeof (globalThis as { window?: unknown }).window, 'undefined');
    const { client, calls } = recordingClient();
    function Panel() {
      const channel = reactBindings.useChannel('news', { client });
      const presence = reactBindings.usePresence('news', { client });
      const inbox = reactBindings.useInboxCounts({ client });
      const fallback = reactBindings.useChannel('news');
      return createElement('p', null, `${channel.live} ${channel.events.length} ${presence.loaded} ${String(inbox.counts)} ${fallback.live}`);
    }
    assert.equal(renderReact(createElement(Panel)), '<p>false 0 false undefined false</p>');
    assert.deepEqual(calls, []);
  });

  it('renders Vue composables idle in setup(), touching no client', async () => {
    const { client, calls } = recordingClient();
    const app = createSSRApp({
      setup() {
        const channel = vueBindings.useChannel('news', { client });
        const presence = vueBindings.usePresence('news', { client });
        const inbox = vueBindings.useInboxCounts({ client });
        return () => h('p', `${channel.live.value} ${channel.events.value.length} ${presence.loaded.value} ${String(inbox.counts.value)}`);
      },
    });
    assert.equal(await renderVue(app), '<p>false 0 false undefined</p>');
    assert.deepEqual(calls, []);
  });
});
