import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometStatus, CometStatusChangeDetail } from './comet-status.js';
import { cleanup, expectNoAxeViolations, mount, nextEvent, part } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';

describe('<comet-status>', () => {
  afterEach(cleanup);

  it('shows the live state and transport of the connection', async () => {
    const channel = uniqueChannel();
    const { element, connection } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    await element.updateComplete;
    expect(element.getAttribute('state')).to.equal('open');
    expect(part(element, 'label')!.textContent).to.equal('Live');
    expect(part(element, 'transport')!.textContent).to.equal(`via ${(connection as HTMLElementTagNameMap['comet-connection']).client!.transport}`);
  });

  it('fires comet-status-change when the state changes, with the previous state', async () => {
    const channel = uniqueChannel();
    const changes: CometStatusChangeDetail[] = [];
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    element.addEventListener('comet-status-change', (event) => changes.push(event.detail));
    await waitFor(() => element.state === 'open', 5000, 'open');
    // Each change names the state the element showed before it: the first, none (no client yet); each next, the one before.
    expect(changes[0]!.previous).to.equal('none');
    for (const [index, change] of changes.entries()) {
      if (index > 0) expect(change.previous, `change ${index}`).to.equal(changes[index - 1]!.state);
      expect(change.previous, `change ${index}`).to.not.equal(change.state);
    }
    expect(changes.at(-1)!.state).to.equal('open');
  });

  it('offers a retry button while reconnecting, usable with the keyboard', async () => {
    const channel = uniqueChannel();
    const server = getTestServer();
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    const reconnecting = nextEvent<CustomEvent<{ state: string }>>(element, 'comet-status-change');
    await server.disconnect(channel);
    const change = await reconnecting;
    expect(change.detail).to.include({ state: 'reconnecting', previous: 'open' });
    await element.updateComplete;
    const retry = part(element, 'retry');
    expect(retry?.tagName).to.equal('BUTTON');
    retry!.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => element.state === 'open', 5000, 'open again');
  });

  it('stops saying Live while its page sits in the back/forward cache, and says it again on return', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    // The events a page gets when it enters and leaves the cache (as the back/forward tests do where automation keeps the cache off).
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await waitFor(() => element.state !== 'open', 5000, 'not open while away');
    await element.updateComplete;
    expect(part(element, 'label')!.textContent).to.not.equal('Live');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitFor(() => element.state === 'open', 5000, 'open again');
    await element.updateComplete;
    expect(part(element, 'label')!.textContent).to.equal('Live');
  });

  it('explains the host and the transport decision when verbose', async () => {
    const channel = uniqueChannel();
    const { element, connection } = mount<CometStatus>(`<comet-status verbose></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    const clientOf = () => (connection as HTMLElementTagNameMap['comet-connection']).client;
    await waitFor(() => element.state === 'open' && (clientOf()?.decisions.length ?? 0) > 0, 5000, 'open, with a transport decision');
    await element.updateComplete;
    const client = clientOf()!;
    const decision = client.decisions.at(-1)!;
    // Both halves, from the client's own record: the host and why, then the last decision and what was seen.
    expect(part(element, 'details')!.textContent).to.equal(`${client.host}: ${client.hostReason} · ${decision.reason}: ${decision.detail}`);
    expect(decision.detail, 'a decision says what was seen').to.not.equal('');
  });

  it('takes replacement strings and a compact mode', async () => {
    const { element } = mount<CometStatus>(`<comet-status compact></comet-status>`, { url: '' });
    element.strings = { none: 'Keine Verbindung' };
    await element.updateComplete;
    const label = part(element, 'label')!;
    expect(label.textContent).to.equal('Keine Verbindung');
    // Compact: the words take no room on screen but stay in the accessibility tree (visually hidden, not display: none).
    expect(label.getBoundingClientRect().width).to.be.at.most(1);
    expect(getComputedStyle(label).display).to.not.equal('none');
    expect(getComputedStyle(label).clipPath).to.equal('inset(50%)');
    element.compact = false;
    await element.updateComplete;
    expect(label.getBoundingClientRect().width).to.be.greaterThan(1);
  });

  it('has no axe violations, light and dark', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    await expectNoAxeViolations(element);
    element.theme = 'dark';
    await element.updateComplete;
    await expectNoAxeViolations(element);
  });
});
