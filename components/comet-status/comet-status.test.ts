import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometStatus } from './comet-status.js';
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
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    const events: string[] = [];
    element.addEventListener('comet-status-change', (event) => events.push(`${event.detail.previous}>${event.detail.state}`));
    await waitFor(() => element.state === 'open', 5000, 'open');
    expect(events.at(-1)).to.match(/>open$/);
  });

  it('offers a retry button while reconnecting, usable with the keyboard', async () => {
    const channel = uniqueChannel();
    const server = getTestServer();
    const { element } = mount<CometStatus>(`<comet-status></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    const reconnecting = nextEvent<CustomEvent<{ state: string }>>(element, 'comet-status-change');
    await server.disconnect(channel);
    const change = await reconnecting;
    expect(change.detail.state).to.equal('reconnecting');
    await element.updateComplete;
    const retry = part(element, 'retry');
    expect(retry?.tagName).to.equal('BUTTON');
    retry!.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => element.state === 'open', 5000, 'open again');
  });

  it('explains the host and the transport decision when verbose', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometStatus>(`<comet-status verbose></comet-status><comet-feed channel="${channel}"></comet-feed>`);
    await waitFor(() => element.state === 'open', 5000, 'open');
    await element.updateComplete;
    expect(part(element, 'details')!.textContent).to.match(/^(shared-worker|leader-tab|single-tab): /);
  });

  it('takes replacement strings and a compact mode', async () => {
    const { element } = mount<CometStatus>(`<comet-status compact></comet-status>`, { url: '' });
    element.strings = { none: 'Keine Verbindung' };
    await element.updateComplete;
    expect(part(element, 'label')!.textContent).to.equal('Keine Verbindung');
    expect(element.hasAttribute('compact')).to.equal(true);
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
