/**
 * Rich inbox items in <comet-bell inbox>, against the real server with two
 * devices of one user: avatar, severity and formatted body (and every
 * script-running spelling of SECURITY.md kept inert in each of them),
 * actions with their pending state and result, groups, and snooze.
 */
import { expect } from '@esm-bundle/chai';
import { html, render } from 'lit';
import '../index.js';
import type { CometBell } from '../comet-bell/comet-bell.js';
import { createClient } from '../../src/index.js';
import { expectNoAxeViolations, part, parts } from '../../test/support/components.js';
import { getTestServer, waitFor } from '../../test/support/env.js';
import { inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';
import { HOSTILE_MARKUP, HOSTILE_URLS } from '../../test/support/xss-spellings.js';
import type { InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { InboxController } from './inbox-controller.js';
import { renderInboxItem } from './inbox-item.js';
import { INBOX_VIEW_STRINGS } from './inbox-view.js';

const server = getTestServer();
const groupText = (bell: CometBell): string => part(bell, 'group')!.textContent!.replace(/\s+/g, ' ').trim();
const item = (bell: CometBell, title: string): HTMLElement | undefined => parts(bell, 'item').find((el) => el.querySelector('[part="title"]')?.textContent?.includes(title));

/** Nothing ran, no element that could run or load script was made, and no link goes anywhere but http(s). */
function expectInert(root: ParentNode, what: string): void {
  expect(window.__pwned, `${what}: nothing ran`).to.equal(undefined);
  // Compared as text: chai describing an element can take minutes. The bell's own icon is the one svg allowed.
  const made = root.querySelector('script, iframe, svg:not([part="icon"]), object, embed, [onerror], [onload], [srcdoc], [onmouseover]');
  expect(made?.outerHTML.slice(0, 120) ?? 'none', `${what}: no element from markup`).to.equal('none');
  for (const link of root.querySelectorAll<HTMLAnchorElement>('a[href]')) expect(link.protocol, `${what}: ${link.getAttribute('href')}`).to.match(/^https?:$/);
  for (const image of root.querySelectorAll<HTMLImageElement>('img')) expect(new URL(image.src).protocol, `${what}: image ${image.src}`).to.match(/^https?:$/);
}

describe('inbox items: rich, actions, groups, snooze', function () {
  this.timeout(30_000);
  afterEach(removeDevices);

  it('shows an avatar, a severity a screen reader hears, and the body’s formatting as elements', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    await server.notify(user, { title: 'Build failed', body: 'On **main**: _flaky_ test `auth.spec` — [logs](https://ci.example.com/42) and snake_case_stays' }, { severity: 'error', actor: 'Ada Lovelace', avatar: 'https://avatars.example.com/ada.png' });
    await server.notify(user, { title: 'Reply' }, { actor: 'Grace Hopper' });
    bell.show();
    await waitFor(() => parts(bell, 'item').length === 2, 8000, 'two items');
    const failed = item(bell, 'Build failed')!;
    expect(failed.getAttribute('part')).to.contain('severity-error');
    expect(failed.querySelector('[part="severity"]')!.textContent).to.equal('Error:');
    expect(failed.querySelector<HTMLImageElement>('img[part="avatar"]')!.src).to.equal('https://avatars.example.com/ada.png');
    const body = failed.querySelector('[part="body"]')!;
    expect([...body.children].map((el) => `${el.localName}:${el.textContent}`)).to.deep.equal(['strong:main', 'em:flaky', 'code:auth.spec', 'a:logs']);
    expect(body.querySelector('a')!.href).to.equal('https://ci.example.com/42');
    expect(body.textContent).to.contain('snake_case_stays');
    expect(item(bell, 'Reply')!.querySelector('[part~="avatar-initials"]')!.textContent).to.equal('GH');
    await expectNoAxeViolations(bell);
  });

  it('keeps every script spelling of the catalogue inert in each new field', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    // Through the real server: markup in the body (plain, inside each format, as link text), the actor, the group's actors and an action's label.
    const bodies = HOSTILE_MARKUP.flatMap((markup) => [markup, `**${markup}**`, `_${markup}_`, `\`${markup}\``, `[${markup}](https://example.com/)`]);
    const linkBodies = HOSTILE_URLS.map((url) => `[click](${url})`);
    for (const body of [...bodies, ...linkBodies]) await server.notify(user, { title: 'Body', body });
    for (const markup of HOSTILE_MARKUP) {
      await server.notify(user, { title: 'Actor' }, { actor: markup.slice(0, 64), group: `g:${markup.length}`, severity: 'warning', actions: [{ id: 'approve', label: markup.slice(0, 64), kind: 'primary' }] });
    }
    // The server refuses a script avatar or action URL outright.
    for (const url of HOSTILE_URLS) {
      let refused = false;
      await server.notify(user, { title: 'Avatar' }, { avatar: url }).catch(() => (refused = true));
      expect(refused, `avatar ${JSON.stringify(url)} refused`).to.equal(true);
    }
    const total = bodies.length + linkBodies.length + HOSTILE_MARKUP.length;
    bell.show();
    await waitFor(() => (bell.shadowRoot?.querySelectorAll('[part~="item"]').length ?? 0) >= Math.min(total, 50), 15_000, 'the items');
    expectInert(bell.shadowRoot!, 'from the server');
    expect(bell.shadowRoot!.textContent).to.contain('<img src=x onerror=');

    // A server that let them through (an older or another one) still gets nothing run: the avatar and action URLs, rendered directly.
    const container = document.createElement('div');
    document.body.append(container);
    try {
      const inbox = { pendingActions: new Map(), observeSeen: () => {} } as unknown as InboxController;
      const hostile: InboxItem[] = HOSTILE_URLS.map((url, n) => ({
        id: n + 1, type: 'x', data: { title: HOSTILE_MARKUP[0], body: `[a](${url})` }, time: Date.now(), seen: true, read: false, archived: false, category: 'x', toast: true,
        avatar: url, actor: HOSTILE_MARKUP[1], severity: 'error" onmouseover="window.__pwned=true' as 'error',
        actions: [{ id: 'go', label: HOSTILE_MARKUP[2]!, kind: 'primary', url }],
        group: { key: 'k', count: 2, actors: [HOSTILE_MARKUP[3]!] },
        result: undefined,
      }));
      render(html`<ul>${hostile.map((one) => renderInboxItem(inbox, one, INBOX_VIEW_STRINGS, { language: 'en', now: Date.now(), root: () => null }))}</ul>`, container);
      expectInert(container, 'rendered directly');
      expect(container.querySelectorAll('img').length).to.equal(0);
      expect(container.querySelectorAll('[part~="action"]').length, 'no link for a script URL action').to.equal(0);
      expect(container.textContent).to.contain('<img src=x onerror=');
    } finally {
      container.remove();
    }
  });

  it('runs an action with a pending state; the result replaces the buttons on both devices', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    await server.notify(user, { title: 'Merge #12?' }, { actions: [{ id: 'approve', label: 'Approve', kind: 'primary' }, { id: 'reject', label: 'Reject', kind: 'secondary' }] });
    laptop.show();
    phone.show();
    await waitFor(() => parts(laptop, 'action').length === 2 && parts(phone, 'action').length === 2, 8000, 'the buttons on both');
    expect(parts(laptop, 'action').map((el) => el.getAttribute('part'))).to.deep.equal(['action action-primary', 'action action-secondary']);
    await expectNoAxeViolations(laptop);
    const approve = parts(laptop, 'action-primary')[0]!;
    approve.click();
    await laptop.updateComplete;
    // Pending: sent, no answer yet (the answer needs a round trip, this render does not).
    expect(approve.getAttribute('aria-busy')).to.equal('true');
    expect(part(laptop, 'action-secondary')!.getAttribute('aria-disabled')).to.equal('true');
    await waitFor(() => part(laptop, 'result')?.textContent === 'Approved' && part(phone, 'result')?.textContent === 'Approved', 8000, 'the result on both');
    expect(parts(laptop, 'action')).to.have.length(0);
    expect(parts(phone, 'action')).to.have.length(0);
  });

  it('an action the application refuses gives its buttons back with a notice', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    await server.notify(user, { title: 'Deploy?', failAction: true }, { actions: [{ id: 'approve', label: 'Deploy', kind: 'primary' }] });
    bell.show();
    await waitFor(() => parts(bell, 'action').length === 1, 8000, 'the button');
    parts(bell, 'action')[0]!.click();
    await waitFor(() => (part(bell, 'notice')?.textContent ?? '').startsWith('The action did not run'), 8000, 'the notice');
    await waitFor(() => part(bell, 'action')?.getAttribute('aria-disabled') === 'false', 8000, 'the button back');
  });

  it('shows ten notifications of a group as one item: "Ada and 9 others", count 10, on both devices', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    const actors = ['Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Ada'];
    for (const actor of actors) await server.notify(user, { title: 'replied to your thread' }, { type: 'reply', group: 'thread:7', actor });
    for (const bell of [laptop, phone]) {
      bell.show();
      // Each notification replaces the group's item; one still on its way may show beside the newest for a frame.
      await waitFor(() => part(bell, 'group-count')?.textContent === '10' && parts(bell, 'item').length === 1, 8000, 'one item, count 10');
      expect(groupText(bell)).to.equal('Ada and 9 others 10');
      expect(part(bell, 'group-count')!.getAttribute('aria-label')).to.equal('10 notifications');
      expect(bell.unread).to.equal(1);
    }
    laptop.inboxStrings = { groupActors: { one: '{actor} i {others} inna osoba', few: '{actor} i {others} inne osoby', many: '{actor} i {others} innych osób', other: '{actor} i {others} innej osoby' } };
    laptop.lang = 'pl';
    await laptop.updateComplete;
    expect(groupText(laptop)).to.equal('Ada i 9 innych osób 10');
    await expectNoAxeViolations(laptop);
  });

  it('snoozes from the item’s menu: gone on both devices; one that comes back is unread on both', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    await server.notify(user, { title: 'Snooze me' });
    await server.notify(user, { title: 'Back soon' });
    laptop.show();
    phone.show();
    await waitFor(() => parts(laptop, 'item').length === 2 && parts(phone, 'item').length === 2, 8000, 'two items on both');
    const menu = item(laptop, 'Snooze me')!.querySelector<HTMLDetailsElement>('[part="menu"]')!;
    menu.querySelector<HTMLElement>('[part="menu-button"]')!.click();
    await waitFor(() => menu.open, 2000, 'the menu open');
    await expectNoAxeViolations(laptop);
    const presets = [...menu.querySelectorAll<HTMLButtonElement>('[part="snooze"]')];
    expect(presets.map((button) => button.textContent)).to.deep.equal(['For an hour', 'Until tomorrow', 'Until next week']);
    presets[0]!.click();
    await waitFor(() => item(laptop, 'Snooze me') === undefined && item(phone, 'Snooze me') === undefined, 8000, 'gone on both');

    // Another device snoozes the other one for a moment: it comes back unread on both.
    const token = await server.token({ sub: user });
    const other = createClient({ url: server.comet, token, host: 'single-tab', hub: `${user}-tablet` });
    try {
      const inbox = await other.inbox();
      const id = Number(item(phone, 'Back soon')!.dataset['id']);
      await inbox.markRead([id]);
      await inbox.snooze([id], Date.now() + 400);
      await waitFor(() => item(laptop, 'Back soon') === undefined && item(phone, 'Back soon') === undefined, 8000, 'the other gone on both');
      await waitFor(() => item(laptop, 'Back soon') !== undefined && item(phone, 'Back soon') !== undefined, 8000, 'back on both');
      for (const bell of [laptop, phone]) expect(item(bell, 'Back soon')!.getAttribute('part')).to.contain('unread');
    } finally {
      other.close();
    }
  });
});
