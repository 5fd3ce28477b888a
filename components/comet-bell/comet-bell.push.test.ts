/**
 * The bell's Web Push switch in the three engines, against the harness's
 * server (VAPID keys made per run) and one without keys. What each engine
 * allows headless, through the real permission and PushManager:
 * - Chromium has Web Push; it denies the permission request a click makes
 *   (no one to answer a prompt), so the switch ends "blocked", with the fix.
 *   With the permission granted, `pushManager.subscribe()` never settles
 *   (Chromium's push service is Google's, unreachable here): subscribing
 *   for real is tested in Firefox (test/node/push-browser.test.ts).
 * - Firefox has Web Push; headless, its permission prompt stays open, so
 *   the switch stays "waiting for the browser".
 * - WebKitGTK's MiniBrowser has no PushManager: the switch is not shown.
 */
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometBell } from './comet-bell.js';
import { createClient, type CometClient } from '../../src/index.js';
import { expectNoAxeViolations, part } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';
import { inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';

const server = getTestServer();
const hasWebPush = 'serviceWorker' in navigator && typeof PushManager === 'function' && typeof Notification === 'function';
const engine = navigator.userAgent.includes('Firefox/') ? 'firefox' : navigator.userAgent.includes('Chrome/') ? 'chromium' : 'webkit';
const clientOf = (bell: CometBell): CometClient => (bell.parentElement as HTMLElement & { client: CometClient }).client;
const toggle = (bell: CometBell) => part(bell, 'push-switch') as HTMLInputElement | undefined;
const status = (bell: CometBell) => part(bell, 'push-status')?.textContent?.trim();

async function openBell(): Promise<CometBell> {
  const { elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
  const bell = elements[0]!;
  await bell.updateComplete;
  bell.show();
  return bell;
}

describe('<comet-bell inbox>: the push switch', function () {
  this.timeout(20_000);
  afterEach(removeDevices);

  it(hasWebPush ? 'shows the switch off, with its state in words, where the browser has Web Push' : 'shows no switch where the browser has no Web Push', async () => {
    const bell = await openBell();
    const client = clientOf(bell);
    expect(await client.push.state()).to.equal(hasWebPush ? 'prompt' : 'unsupported');
    if (!hasWebPush) {
      await bell.updateComplete;
      expect(part(bell, 'push')).to.equal(undefined);
      return;
    }
    await waitFor(() => toggle(bell) !== undefined, 8000, 'the push switch');
    expect(toggle(bell)!.getAttribute('role')).to.equal('switch');
    expect(toggle(bell)!.checked).to.equal(false);
    expect(part(bell, 'push-label')!.textContent!.trim()).to.equal('Push notifications on this device');
    expect(status(bell)).to.equal('Off.');
    expect(toggle(bell)!.getAttribute('aria-describedby')).to.equal('push-status');
    await expectNoAxeViolations(bell);
    bell.theme = 'dark';
    await bell.updateComplete;
    await expectNoAxeViolations(bell);
  });

  it('shows no switch for a server without VAPID keys', async () => {
    // The harness's server under /anon has no push: `state()` says so, and the bell leaves the switch out.
    const hub = uniqueChannel('no-push');
    const client = createClient({ url: `${server.url}/anon`, host: 'single-tab', hub, identity: { user: hub } });
    const wrapper = document.createElement('comet-connection') as HTMLElement & { client: CometClient };
    wrapper.client = client;
    wrapper.innerHTML = '<comet-bell inbox></comet-bell>';
    document.body.append(wrapper);
    try {
      const bell = wrapper.firstElementChild as CometBell;
      await bell.updateComplete;
      bell.show();
      expect(await client.push.state()).to.equal(hasWebPush ? 'off' : 'unsupported');
      await bell.updateComplete;
      expect(part(bell, 'push')).to.equal(undefined);
    } finally {
      wrapper.remove();
      client.close();
    }
  });

  it('takes strings like the rest of the bell, rendered as text', async () => {
    const bell = await openBell();
    if (!hasWebPush) return void expect(await clientOf(bell).push.state()).to.equal('unsupported');
    bell.strings = { pushLabel: '<b>Push</b> hier', pushOff: 'Aus.' };
    await waitFor(() => toggle(bell) !== undefined, 8000, 'the push switch');
    await bell.updateComplete;
    expect(part(bell, 'push-label')!.textContent!.trim()).to.equal('<b>Push</b> hier');
    expect(part(bell, 'push-label')!.querySelector('b')).to.equal(null);
    expect(status(bell)).to.equal('Aus.');
  });

  it('a key press on the switch calls subscribe, which asks the browser in the gesture', async () => {
    const bell = await openBell();
    if (!hasWebPush) return void expect(await clientOf(bell).push.state()).to.equal('unsupported');
    await waitFor(() => toggle(bell) !== undefined, 8000, 'the push switch');
    toggle(bell)!.focus();
    // A real key press: the browser asks for permission only in a gesture it trusts.
    await sendKeys({ press: ' ' });
    if (engine === 'chromium') {
      // Headless Chromium answers the request itself: denied. The switch says so and how to undo it.
      await waitFor(() => part(bell, 'push-blocked') !== undefined, 8000, 'the blocked state');
      expect(Notification.permission).to.equal('denied');
      expect(await clientOf(bell).push.state()).to.equal('denied');
      expect(toggle(bell)!.disabled).to.equal(true);
      expect(toggle(bell)!.checked).to.equal(false);
      expect(status(bell)).to.match(/^Blocked by this browser\. To allow them, open the site settings/);
      await expectNoAxeViolations(bell);
    } else {
      // Headless Firefox shows its prompt and nobody answers: the switch waits, busy and not yet on.
      await waitFor(() => status(bell) === 'Waiting for the browser…', 8000, 'the busy state');
      expect(toggle(bell)!.getAttribute('aria-busy')).to.equal('true');
      expect(toggle(bell)!.disabled).to.equal(true);
      expect(toggle(bell)!.checked).to.equal(false);
      expect(Notification.permission).to.equal('default');
    }
  });
});
