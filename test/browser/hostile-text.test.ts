/**
 * Text the components show that does not come from an event's data: error
 * messages from a push server (or a proxy in front of it), and oversized
 * fields. Error bodies with markup are something the reference server never
 * sends, so msw plays that server; oversized fields come from the real one.
 */
import { expect } from '@esm-bundle/chai';
import { delay, http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import '../../components/index.js';
import type { CometBell } from '../../components/comet-bell/comet-bell.js';
import type { CometFeed } from '../../components/comet-feed/comet-feed.js';
import type { CometStatus } from '../../components/comet-status/comet-status.js';
import type { CometToasts } from '../../components/comet-toasts/comet-toasts.js';
import { configure } from '../../src/client/default-client.js';
import { HOSTILE, channelLive, cleanup, expectRenderedAsText, mount, nextEvent, part, parts } from '../support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();
const HOSTILE_BASE = `${location.origin}/mocked-hostile-server/comet`;
/** A server whose long-poll works and whose SSE is refused with markup in the message: a probe for SSE fails with it. */
const PROBE_BASE = `${location.origin}/mocked-probe-server/comet`;
const refusal = { error: { code: '<b>bad</b>', message: `History is down: ${HOSTILE}` } };

const worker = setupWorker(
  http.get(`${HOSTILE_BASE}/history`, () => HttpResponse.json(refusal, { status: 500 })),
  // The stream is refused for good, so the connection stays still while the history fails.
  http.get(`${HOSTILE_BASE}/sse`, () => HttpResponse.json({ error: { code: 'token-missing', message: HOSTILE } }, { status: 401 })),
  http.get(`${PROBE_BASE}/sse`, () => HttpResponse.json({ error: { code: 'unavailable', message: `SSE is off: ${HOSTILE}` } }, { status: 503 })),
  http.get(`${PROBE_BASE}/poll`, async ({ request }) => {
    const url = new URL(request.url);
    const cursor = url.searchParams.get('cursor') ?? `${url.searchParams.get('ch')}=m-0`;
    // Held like a real poll, so the loop does not spin.
    if (url.searchParams.get('wait') !== '0') await delay(500);
    return HttpResponse.json({ hello: { v: 1, time: Date.now(), heartbeat: 1000, cursor, transport: 'long-poll' }, gaps: [], events: [], cursor });
  }),
);

// Real-server cases first, before msw's service worker controls the page: in WebKit an EventSource
// through that worker gets nothing until the response ends, and the client has to step down to the iframe.
describe('components: oversized fields and links from the real server', function () {
  this.timeout(15_000);
  afterEach(cleanup);

  it('<comet-bell> links no script or data URL however it is spelled, only http(s)', async () => {
    const channel = uniqueChannel();
    const { element: bell, connection } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${channel}"></comet-bell>`);
    await channelLive(connection, channel);
    const urls = [' javascript:window.__pwned=true', 'JaVaScRiPt:window.__pwned=true', 'java\tscript:window.__pwned=true', '\u0000javascript:window.__pwned=true', 'data:text/html,<script>parent.__pwned=true</script>', 'vbscript:msgbox(1)', 'https://example.com/ok'];
    await server.publishMany(urls.map((url, n) => ({ channel, data: { title: `Link ${n}`, url } })));
    await waitFor(() => bell.notifications.length === urls.length, 5000, 'the notifications');
    bell.show();
    await bell.updateComplete;
    expect([...bell.shadowRoot!.querySelectorAll('a')].map((a) => a.href)).to.deep.equal(['https://example.com/ok']);
  });

  it('<comet-bell> and <comet-toasts> show at most 500 characters of an oversized title and body', async () => {
    const channel = uniqueChannel();
    const { element: bell, connection: bellConnection } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${channel}"></comet-bell>`);
    const { element: toasts, connection: toastsConnection } = mount<CometToasts>(`<comet-toasts channel="${channel}" duration="0"></comet-toasts>`);
    await Promise.all([channelLive(bellConnection, channel), channelLive(toastsConnection, channel)]);
    const shown = nextEvent(toasts, 'comet-toast-show');
    // Just under the server's 64 KiB body limit.
    await server.publish(channel, { title: 'T'.repeat(30_000), message: 'M'.repeat(30_000) });
    await shown;
    await waitFor(() => bell.unread === 1, 5000, 'the notification');
    bell.show();
    await bell.updateComplete;
    await toasts.updateComplete;
    for (const [element, title, body] of [[bell, 'title', 'body'], [toasts, 'title', 'message']] as const) {
      expect(part(element, title)!.textContent!.replace(/[^T]/g, '').length, `${element.localName} ${title}`).to.equal(500);
      expect(part(element, body)!.textContent!.replace(/[^M]/g, '').length, `${element.localName} ${body}`).to.equal(500);
    }
  });

  it('<comet-feed> shows at most 500 characters of an oversized event', async () => {
    const channel = uniqueChannel();
    const { element: feed, connection } = mount<CometFeed>(`<comet-feed channel="${channel}"></comet-feed>`);
    await channelLive(connection, channel);
    await server.publish(channel, { title: 'F'.repeat(60_000) });
    await waitFor(() => parts(feed, 'text').length === 1, 5000, 'the item');
    expect(part(feed, 'text')!.textContent!.length).to.be.at.most(500);
  });
});

describe('components: hostile text from a server (msw)', function () {
  this.timeout(15_000);

  before(async () => {
    await worker.start({ quiet: true, onUnhandledFrame: 'bypass' });
  });

  after(async () => {
    await worker.stop();
    // Other test pages share this origin: leave no worker behind to sit in front of their requests.
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });

  afterEach(cleanup);

  it('<comet-feed> shows a history error message with markup as text', async () => {
    const { element: feed } = mount<CometFeed>(`<comet-feed channel="${uniqueChannel()}"></comet-feed>`, { url: HOSTILE_BASE });
    // The error state, whether or not it offers Retry: with the stream refused for good (401, no token
    // function) nothing can recover, so the feed may show the history's error without the button.
    await waitFor(() => feed.error?.includes('History is down') === true, 15_000, 'the error state');
    await feed.updateComplete;
    expect(part(feed, 'status')!.textContent).to.contain('History is down: <img src=x');
    expectRenderedAsText(feed);
  });

  it('<comet-bell> shows a history error message with markup as text', async () => {
    const { element: bell } = mount<CometBell>(`<comet-bell channel="${uniqueChannel()}"></comet-bell>`, { url: HOSTILE_BASE });
    bell.show();
    await waitFor(() => part(bell, 'empty')?.textContent?.includes('History is down') === true, 15_000, 'the error state');
    expectRenderedAsText(bell);
  });

  it('<comet-status verbose> shows a transport decision quoting a server message with markup as text', async () => {
    const memory = `cometkit:transport:${location.origin}`;
    localStorage.setItem(memory, JSON.stringify({ transport: 'long-poll', until: Date.now() + 60_000 }));
    const client = configure({ url: PROBE_BASE, host: 'single-tab', hub: uniqueChannel('t.probe'), transports: ['sse', 'long-poll'], ladder: { rememberMs: 120_000, reprobeMs: 1000 } });
    const status = document.createElement('comet-status') as CometStatus;
    status.verbose = true;
    document.body.append(status);
    try {
      client.subscribe(uniqueChannel(), () => {});
      await waitFor(() => client.decisions.some((decision) => decision.reason === 'probe-failed'), 10_000, 'a failed probe');
      await waitFor(() => part(status, 'details')?.textContent?.includes('SSE is off') === true, 2000, 'the decision shown');
      expectRenderedAsText(status);
    } finally {
      status.remove();
      client.close();
      localStorage.removeItem(memory);
    }
  });
});
