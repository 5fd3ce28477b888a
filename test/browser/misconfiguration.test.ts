/**
 * Errors that say why, where a user looks: a push server that refuses the
 * page's origin, a wrong base path on a real server (404), a URL where no
 * server answers, and a channel no server accepts. Each names its cause in
 * the client's `error` event, in `<comet-status>`, in the elements, and
 * once on the console (the development build; the test runner defines
 * `__DEV__`). Against the real reference server: /strict allows one origin
 * that no test page has.
 */
import { expect } from '@esm-bundle/chai';
import '../../components/index.js';
import type { CometFeed } from '../../components/comet-feed/comet-feed.js';
import type { CometPresence } from '../../components/comet-presence/comet-presence.js';
import type { CometStatus } from '../../components/comet-status/comet-status.js';
import { CometClient, type ClientOptions, type CometError } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { captureWarnings } from '../support/warnings.js';

const server = getTestServer();
const clients: CometClient[] = [];
const elements: Element[] = [];
const uncaught: string[] = [];
// Each test's own warnings: the hooks run around every test of this file.
const warnings = captureWarnings();
window.addEventListener('error', (event) => uncaught.push(String(event.message)));
window.addEventListener('unhandledrejection', (event) => uncaught.push(String((event.reason as Error)?.message ?? event.reason)));

function client(options: Partial<ClientOptions> & { url: string }): { client: CometClient; errors: CometError[] } {
  const made = new CometClient({ host: 'single-tab', hub: uniqueChannel('t.hub'), reconnect: { baseDelayMs: 50, maxDelayMs: 250 }, ...options });
  clients.push(made);
  const errors: CometError[] = [];
  made.addEventListener('error', (event) => errors.push(event.error));
  return { client: made, errors };
}

/** `html` inside a `<comet-connection>` given `made` as its client. */
function mount<T extends Element>(made: CometClient, html: string): T {
  const connection = document.createElement('comet-connection') as HTMLElement & { client?: CometClient };
  connection.client = made;
  connection.innerHTML = html;
  document.body.append(connection);
  elements.push(connection);
  return connection.firstElementChild as T;
}

const partText = (element: Element, name: string): string => element.shadowRoot?.querySelector(`[part~="${name}"]`)?.textContent ?? '';
const ours = (code: string): string[] => warnings().filter((text) => text.startsWith(`cometkit [misconfigured]: ${code}:`));

describe('misconfiguration, named where a user looks', function () {
  this.timeout(30_000);

  afterEach(() => {
    for (const element of elements.splice(0)) element.remove();
    for (const made of clients.splice(0)) made.close();
  });

  it('a page whose origin the server refuses: origin-not-allowed naming the origin and COMET_ALLOWED_ORIGINS, in the error event, the status, presence and the console', async () => {
    const channel = uniqueChannel();
    const { client: made } = client({ url: `${server.url}/strict` });
    const status = mount<CometStatus>(made, '<comet-status></comet-status>');
    const presence = mount<CometPresence>(made, `<comet-presence channel="${channel}"></comet-presence>`);
    // A refusal retrying cannot fix closes the client, and the state change carries it.
    let stopped: CometError | undefined;
    made.addEventListener('statechange', (event) => {
      if (event.state === 'closed') stopped = event.error;
    });
    made.subscribe(channel, () => {});
    await waitFor(() => made.state === 'closed', 10_000, 'the client to stop');
    expect(stopped?.code).to.equal('origin-not-allowed');
    expect(stopped?.message).to.include(location.origin).and.to.include('COMET_ALLOWED_ORIGINS');
    await waitFor(() => partText(status, 'reason') !== '', 5000, 'the status to say why');
    expect(partText(status, 'label')).to.equal('Offline');
    expect(partText(status, 'reason')).to.equal('This site is not allowed by the push server');
    status.verbose = true;
    await status.updateComplete;
    expect(partText(status, 'reason')).to.include(location.origin).and.to.include('COMET_ALLOWED_ORIGINS');
    expect(status.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
    await waitFor(() => partText(presence, 'error') !== '', 10_000, 'presence to say it failed');
    expect(partText(presence, 'error')).to.equal('Presence unavailable');
    expect(presence.shadowRoot!.querySelector('[part~="error"]')!.getAttribute('title')).to.include('COMET_ALLOWED_ORIGINS');
    expect(ours('origin-not-allowed')).to.have.length(1);
    expect(ours('origin-not-allowed')[0]).to.include(location.origin);
  });

  it('a wrong base path on a real server: not-found naming the URL; the feed says so and offers no Retry', async () => {
    const channel = uniqueChannel();
    const url = `${server.comet}/typo`;
    const { client: made } = client({ url });
    const status = mount<CometStatus>(made, '<comet-status verbose></comet-status>');
    const feed = mount<CometFeed>(made, `<comet-feed channel="${channel}"></comet-feed>`);
    let stopped: CometError | undefined;
    made.addEventListener('statechange', (event) => {
      if (event.state === 'closed') stopped = event.error;
    });
    made.subscribe(channel, () => {});
    await waitFor(() => made.state === 'closed', 10_000, 'the client to stop');
    expect(stopped?.code).to.equal('not-found');
    // The endpoint asked is SSE's, unless the ladder started lower (another page of this origin remembered
    // a step-down) or stepped down (a hello missed on a loaded machine): whichever it asked is named.
    const steps = made.decisions.map((decision) => `${decision.reason} → ${decision.transport}`).join(', ');
    const endpoint = ['sse', 'iframe', 'poll'].map((name) => `${url}/${name}`).find((asked) => stopped?.message.includes(`${asked}:`));
    expect(endpoint, `the URL asked, in "${stopped?.message}" (ladder: ${steps})`).to.not.equal(undefined);
    expect(made.decisions.every((decision) => ['initial', 'remembered', 'remembered-expired', 'hello-timeout'].includes(decision.reason)), `only the start or a missed hello moved the ladder, not the 404 (${steps})`).to.equal(true);
    await waitFor(() => partText(status, 'reason') !== '', 5000, 'the status to say why');
    expect(partText(status, 'reason')).to.include('No push server at this address').and.to.include(endpoint!);
    await waitFor(() => feed.error !== '', 10_000, 'the feed to show the error');
    expect(feed.error).to.include(`${url}/history`);
    expect(feed.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
    expect(ours('not-found')).to.have.length(1);
  });

  it('a URL where nothing answers: unreachable naming the URL while the client keeps retrying', async () => {
    // Port 2 on loopback: nothing listens, so the connection is refused at once, as by a server that is down
    // (and, unlike 1 or 9, browsers do not block the port outright).
    const url = 'http://127.0.0.1:2/comet';
    const { client: made, errors } = client({ url });
    const status = mount<CometStatus>(made, '<comet-status></comet-status>');
    made.subscribe(uniqueChannel(), () => {});
    await waitFor(() => errors.filter((error) => error.code === 'unreachable').length >= 2, 15_000, 'two unreachable errors');
    expect(errors.find((error) => error.code === 'unreachable')!.message, JSON.stringify(made.decisions)).to.include(`${url}/sse`);
    expect(made.state).to.be.oneOf(['connecting', 'reconnecting']);
    await waitFor(() => partText(status, 'reason') !== '', 5000, 'the status to say why');
    expect(partText(status, 'reason')).to.equal('The push server cannot be reached');
    // The transport is not to blame: the ladder never stepped down.
    expect(made.decisions.map((decision) => decision.transport ?? 'none')).to.not.include.members(['iframe', 'long-poll']);
    expect(ours('unreachable')).to.have.length(1);
  });

  it('an expired fixed token: the client stops; the feed and the status say why and offer no Retry, which cannot help', async () => {
    const channel = `private.${uniqueChannel()}`;
    // Expired a minute ago, past the server's leeway.
    const token = await server.token({ sub: 'ada', channels: [channel], exp: -60 });
    const { client: made } = client({ url: server.comet, token });
    const status = mount<CometStatus>(made, '<comet-status></comet-status>');
    const feed = mount<CometFeed>(made, `<comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => feed.error !== '' && made.state === 'closed', 10_000, 'the feed to show the error, and the client to stop');
    await feed.updateComplete;
    expect(feed.error).to.include('expired');
    expect(feed.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
    await waitFor(() => partText(status, 'reason') !== '', 5000, 'the status to say why');
    expect(partText(status, 'label')).to.equal('Offline');
    expect(partText(status, 'reason')).to.equal('Refused by the push server');
    expect(status.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
  });

  it('a channel no server accepts: the feed shows the error, nothing is thrown, no Retry', async () => {
    const { client: made } = client({ url: server.comet });
    const before = uncaught.length;
    const feed = mount<CometFeed>(made, '<comet-feed channel="my news"></comet-feed>');
    await waitFor(() => feed.error !== '', 5000, 'the feed to show the error');
    expect(feed.error).to.include('"my news" is not a valid channel');
    expect(feed.shadowRoot!.textContent).to.include('is not a valid channel');
    expect(feed.shadowRoot!.querySelector('[part~="retry"]')).to.equal(null);
    expect(uncaught.slice(before)).to.deep.equal([]);
  });
});
