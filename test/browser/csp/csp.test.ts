/**
 * The Content Security Policy SECURITY.md gives a site, applied to a real
 * page: each transport and host works under it, and the same page without
 * the push server in `connect-src` is blocked (so the policy is in force).
 */
import { expect } from '@esm-bundle/chai';
import type { ClientOptions } from '../../../src/client/client.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { getLab } from '../../support/proxies/lab-client.js';
import { hubWorkerUrl } from '../hub/tabs.js';
import type { CspPage, CspPageConfig } from './fixtures/csp-page.js';

const server = getTestServer();
/** The policy of SECURITY.md, "Content Security Policy", with the test servers (127.0.0.1, any port) as the push server. */
const documentedPolicyPage = new URL('./fixtures/csp-page.html', import.meta.url);
/** The same policy without the push server in connect-src. */
const blockedPage = new URL('./fixtures/csp-blocked-page.html', import.meta.url);

const frames: HTMLIFrameElement[] = [];

async function openPage(page: URL, options: ClientOptions, channel: string, extra: Partial<CspPageConfig> = {}): Promise<{ page: CspPage; frame: HTMLIFrameElement }> {
  const config: CspPageConfig = { options, channel, ...extra };
  const url = new URL(page);
  url.searchParams.set('config', JSON.stringify(config));
  const frame = document.createElement('iframe');
  frame.src = url.href;
  frames.push(frame);
  document.body.append(frame);
  await waitFor(() => frame.contentWindow?.cspPage !== undefined, 5000, 'the page under CSP to load');
  return { page: frame.contentWindow!.cspPage!, frame };
}

async function receives(page: CspPage, publish: () => Promise<{ id: string }>): Promise<void> {
  await waitFor(() => page.client.state === 'open', 10_000, `the client to open (${page.errors.join('; ') || 'no error'})`);
  const event = await publish();
  await waitFor(() => page.received.length === 1, 5000, 'the event');
  expect(page.received).to.deep.equal([event.id]);
  expect(page.violations).to.deep.equal([]);
}

describe('Content Security Policy', function () {
  this.timeout(20_000);
  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
  });

  it('the test servers are on 127.0.0.1, where the policy allows them, and the test page is not', async () => {
    const lab = await getLab();
    for (const url of [server.comet, lab.comet]) expect(new URL(url).hostname).to.equal('127.0.0.1');
    expect(location.hostname).to.not.equal('127.0.0.1');
  });

  it('a page under the documented policy receives events over SSE through a SharedWorker hub', async () => {
    const channel = uniqueChannel();
    const hub = uniqueChannel('t.csp');
    const { page } = await openPage(documentedPolicyPage, { url: server.comet, hub, workerUrl: hubWorkerUrl, transports: ['sse'] }, channel);
    await receives(page, () => server.publish(channel, 'under csp'));
    expect(page.client.host).to.equal('shared-worker');
    expect(page.client.transport).to.equal('sse');
  });

  it('a page under the documented policy receives events over long-poll in a leader tab', async () => {
    const channel = uniqueChannel();
    const { page } = await openPage(documentedPolicyPage, { url: server.comet, hub: uniqueChannel('t.csp'), host: 'leader-tab', transports: ['long-poll'] }, channel);
    await receives(page, () => server.publish(channel, 'under csp'));
    expect(page.client.transport).to.equal('long-poll');
  });

  it('a page under the documented policy receives events over the iframe transport from another origin', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    const { page } = await openPage(documentedPolicyPage, { url: lab.comet, hub: uniqueChannel('t.csp'), host: 'single-tab', transports: ['iframe'] }, channel);
    await receives(page, async () => (await lab.publishMany([{ channel, data: 'under csp' }]))[0]!);
    expect(page.client.transport).to.equal('iframe');
  });

  it('components are styled under the documented policy, which allows no inline style', async () => {
    const { page, frame } = await openPage(documentedPolicyPage, { url: server.comet, hub: uniqueChannel('t.csp'), host: 'single-tab' }, uniqueChannel(), { status: true });
    const status = () => frame.contentDocument!.querySelector('comet-status');
    await waitFor(() => status()?.shadowRoot?.querySelector('[part="indicator"]') != null, 5000, 'the status to render');
    const indicator = status()!.shadowRoot!.querySelector('[part="indicator"]')!;
    expect(frame.contentWindow!.getComputedStyle(indicator).borderTopLeftRadius).to.equal('50%');
    expect(page.violations).to.deep.equal([]);
  });

  it('a page whose connect-src leaves out the push server is blocked, and the browser reports it', async () => {
    const channel = uniqueChannel();
    const { page } = await openPage(blockedPage, { url: server.comet, hub: uniqueChannel('t.csp'), host: 'single-tab', transports: ['long-poll'] }, channel);
    await waitFor(() => page.violations.some((v) => v.startsWith('connect-src')), 10_000, 'a connect-src violation');
    expect(page.client.state).to.not.equal('open');
    expect(page.received).to.deep.equal([]);
  });
});
