import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometPreferences } from './comet-preferences.js';
import { expectNoAxeViolations, parts } from '../../test/support/components.js';
import { waitFor } from '../../test/support/env.js';
import { inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';

const CATEGORIES = [
  { id: 'comments', label: 'Comments' },
  { id: 'mentions', label: 'Mentions' },
];

/** The checkbox of `category` × `channel`. */
const box = (element: CometPreferences, category: string, channel: string): HTMLInputElement =>
  element.shadowRoot!.querySelector<HTMLInputElement>(`input[data-category="${category}"][data-channel="${channel}"]`)!;

/** What a screen reader reads as the name of `input`: the text of the elements its aria-labelledby names. */
const accessibleName = (input: HTMLElement): string =>
  input
    .getAttribute('aria-labelledby')!
    .split(' ')
    .map((id) => (input.getRootNode() as ShadowRoot).getElementById(id)!.textContent!.trim())
    .join(' ');

async function twoDevices(): Promise<[CometPreferences, CometPreferences]> {
  const { elements } = await inboxDevices<CometPreferences>('<comet-preferences></comet-preferences>');
  for (const element of elements) element.categories = CATEGORIES;
  await waitFor(() => elements.every((element) => element.preferences !== undefined && box(element, 'comments', 'inbox') !== null), 8000, 'the preferences on both');
  return elements as [CometPreferences, CometPreferences];
}

describe('<comet-preferences>', function () {
  this.timeout(20_000);
  afterEach(removeDevices);

  it('is a table of named checkboxes per category and channel, with the critical category checked, disabled and explained', async () => {
    const [laptop] = await twoDevices();
    const rows = parts(laptop, 'category').map((th) => th.querySelector('span')!.textContent!.trim());
    expect(rows).to.deep.equal(['Comments', 'Mentions', 'security']);
    expect(accessibleName(box(laptop, 'mentions', 'toast'))).to.equal('Mentions Pop-up');
    const critical = box(laptop, 'security', 'inbox');
    expect([critical.checked, critical.disabled]).to.deep.equal([true, true]);
    const describedBy = laptop.shadowRoot!.getElementById(critical.getAttribute('aria-describedby')!)!;
    expect(describedBy.textContent).to.contain('cannot be turned off');
    expect(laptop.shadowRoot!.querySelector('legend')!.textContent).to.equal('Notification preferences');
    await expectNoAxeViolations(laptop);
    laptop.theme = 'dark';
    await laptop.updateComplete;
    await expectNoAxeViolations(laptop);
  });

  it('saves a change made with the keyboard, and the other device shows it live', async () => {
    const [laptop, phone] = await twoDevices();
    const changed = new Promise((resolve) => phone.addEventListener('comet-preferences-change', resolve, { once: true }));
    box(laptop, 'comments', 'toast').focus();
    // A space character, as every engine's key map names it (Firefox's has no "Space").
    await sendKeys({ press: ' ' });
    expect(box(laptop, 'comments', 'toast').checked, 'at once here').to.equal(false);
    await waitFor(() => laptop.shadowRoot!.querySelector('[part="status"][role]')!.textContent !== '', 8000, 'an answer');
    expect(laptop.shadowRoot!.querySelector('[part="status"][role]')!.textContent).to.equal('Saved.');
    await changed;
    await phone.updateComplete;
    expect(box(phone, 'comments', 'toast').checked, 'live on the phone').to.equal(false);
    expect(box(phone, 'comments', 'inbox').checked, 'the other channel untouched').to.equal(true);
    await waitFor(() => laptop.shadowRoot!.textContent!.includes('Saved.'), 5000, 'saved');
  });

  it('with push among its channels: a Push column per category, and this browser\'s push switch where the browser has Web Push', async () => {
    const { elements } = await inboxDevices<CometPreferences>('<comet-preferences channels="inbox toast push"></comet-preferences>', 1);
    const [laptop] = elements as [CometPreferences];
    laptop.categories = CATEGORIES;
    await waitFor(() => laptop.preferences !== undefined && box(laptop, 'comments', 'push') !== null, 8000, 'the preferences');
    expect(accessibleName(box(laptop, 'comments', 'push'))).to.equal('Comments Push');
    expect(box(laptop, 'comments', 'push').checked).to.equal(true);
    const hasWebPush = 'serviceWorker' in navigator && typeof PushManager === 'function' && typeof Notification === 'function';
    if (!hasWebPush) {
      // WebKitGTK's MiniBrowser has no PushManager: the column stays (it is the user's choice for all their devices), the switch does not.
      await laptop.updateComplete;
      expect(laptop.shadowRoot!.querySelector('[part="push"]')).to.equal(null);
      return;
    }
    await waitFor(() => laptop.shadowRoot!.querySelector('[part="push-switch"]') !== null, 8000, 'the push switch');
    const toggle = laptop.shadowRoot!.querySelector<HTMLInputElement>('[part="push-switch"]')!;
    expect(toggle.getAttribute('role')).to.equal('switch');
    // Chromium's permission may have been denied by an earlier file's request in this browser: the switch says which.
    const blocked = Notification.permission === 'denied';
    expect([toggle.checked, toggle.disabled]).to.deep.equal([false, blocked]);
    expect(laptop.shadowRoot!.querySelector('[part~="push-status"]')!.textContent).to.match(blocked ? /^Blocked by this browser/ : /^Off\.$/);
    await expectNoAxeViolations(laptop);
    // Without push among the channels, neither the column nor the switch.
    laptop.channels = 'inbox toast';
    await laptop.updateComplete;
    expect(laptop.shadowRoot!.querySelector('[part="push"]')).to.equal(null);
    expect(box(laptop, 'comments', 'push')).to.equal(null);
  });

  it('turns every category but the critical one off with the global switch, on both devices', async () => {
    const [laptop, phone] = await twoDevices();
    const toggle = laptop.shadowRoot!.querySelector<HTMLInputElement>('[part="global"] input')!;
    expect(toggle.getAttribute('role')).to.equal('switch');
    toggle.click();
    await waitFor(() => phone.preferences?.enabled === false, 8000, 'off on the phone');
    await phone.updateComplete;
    for (const element of [laptop, phone]) {
      expect([box(element, 'mentions', 'inbox').checked, box(element, 'mentions', 'inbox').disabled]).to.deep.equal([false, true]);
      expect(box(element, 'mentions', 'inbox').getAttribute('aria-describedby')).to.equal('off');
      expect(box(element, 'security', 'toast').checked, 'critical stays on').to.equal(true);
    }
    await expectNoAxeViolations(phone);
  });
});
