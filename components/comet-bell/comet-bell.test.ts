import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometBell } from './comet-bell.js';
import { HOSTILE, channelLive, cleanup, expectNoAxeViolations, expectRenderedAsText, mount, nextEvent, part, parts } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';

const server = getTestServer();

async function liveBell(attributes = ''): Promise<{ bell: CometBell; channel: string }> {
  const channel = uniqueChannel();
  const { element, connection } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${channel}:${Math.random()}" ${attributes}></comet-bell>`);
  await channelLive(connection, channel);
  // The start-up history read is in: from now on every event is a live one.
  await waitFor(() => element.shadowRoot?.textContent?.includes('No notifications yet.') ?? false, 5000, 'history loaded');
  return { bell: element, channel };
}

describe('<comet-bell>', function () {
  this.timeout(15_000);
  afterEach(cleanup);

  it('counts unread notifications as they arrive, firing comet-notification for each', async () => {
    const { bell, channel } = await liveBell();
    const seen: string[] = [];
    bell.addEventListener('comet-notification', (event) => seen.push((event.detail.event.data as { title: string }).title));
    await server.publishMany([1, 2, 3].map((n) => ({ channel, data: { title: `Notice ${n}` } })));
    await waitFor(() => bell.unread === 3, 5000, 'three unread');
    expect(seen).to.deep.equal(['Notice 1', 'Notice 2', 'Notice 3']);
    await bell.updateComplete;
    expect(part(bell, 'badge')!.textContent).to.equal('3');
    expect(part(bell, 'button')!.getAttribute('aria-label')).to.equal('Notifications, 3 unread');
  });

  it('shows 99+ above 99 unread', async () => {
    const channel = uniqueChannel();
    await server.publishMany(Array.from({ length: 100 }, (_, n) => ({ channel, data: { title: `n${n}` } })));
    const { element: bell } = mount<CometBell>(`<comet-bell channel="${channel}" limit="150" storage-key="${channel}"></comet-bell>`);
    await waitFor(() => bell.unread === 100, 5000, 'history loaded');
    await bell.updateComplete;
    expect(part(bell, 'badge')!.textContent).to.equal('99+');
  });

  it('opens its panel from the keyboard, marks one read, then all', async () => {
    const { bell, channel } = await liveBell();
    await server.publishMany([1, 2].map((n) => ({ channel, data: { title: `Item ${n}`, url: 'https://example.com/item' } })));
    await waitFor(() => bell.unread === 2, 5000, 'two unread');
    const toggled = nextEvent<CustomEvent<{ open: boolean }>>(bell, 'comet-bell-toggle');
    part(bell, 'button')!.focus();
    await sendKeys({ press: 'Enter' });
    expect((await toggled).detail.open).to.equal(true);
    expect(bell.open).to.equal(true);
    expect(parts(bell, 'item')).to.have.length(2);
    const read = nextEvent<CustomEvent<{ ids: string[]; all: boolean }>>(bell, 'comet-bell-read');
    const first = part(bell, 'mark-read')!;
    first.focus();
    await sendKeys({ press: 'Enter' });
    expect((await read).detail.all).to.equal(false);
    await waitFor(() => bell.unread === 1, 2000, 'one left');
    const all = nextEvent<CustomEvent<{ ids: string[]; all: boolean }>>(bell, 'comet-bell-read');
    part(bell, 'mark-all')!.click();
    expect((await all).detail).to.include({ all: true });
    await waitFor(() => bell.unread === 0, 2000, 'none left');
    await bell.updateComplete;
    expect(part(bell, 'badge')).to.equal(undefined);
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !bell.open, 2000, 'closed');
  });

  it('moves between the panel buttons with the arrow keys', async () => {
    const { bell, channel } = await liveBell();
    await server.publishMany([1, 2].map((n) => ({ channel, data: { title: `Arrow ${n}` } })));
    await waitFor(() => bell.unread === 2, 5000, 'two unread');
    bell.show();
    await waitFor(() => bell.open, 2000, 'open');
    const focused = () => bell.shadowRoot!.activeElement;
    part(bell, 'mark-all')!.focus();
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal(parts(bell, 'mark-read')[0]);
    await sendKeys({ press: 'End' });
    expect(focused()).to.equal(parts(bell, 'mark-read')[1]);
    await sendKeys({ press: 'Home' });
    expect(focused()).to.equal(part(bell, 'mark-all'));
  });

  it('shares read state with another tab at once, and keeps it across reloads', async () => {
    const channel = uniqueChannel();
    const key = `shared:${channel}`;
    await server.publishMany([1, 2, 3].map((n) => ({ channel, data: { title: `Shared ${n}` } })));
    const { element: here } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${key}"></comet-bell>`);
    // The other tab: a same-origin frame with its own document, client and bell.
    const frame = document.createElement('iframe');
    frame.srcdoc = `<script type="module" src="/components/index.ts"></script>
      <comet-connection url=${JSON.stringify(server.comet)}><comet-bell channel="${channel}" storage-key="${key}"></comet-bell></comet-connection>`;
    document.body.append(frame);
    try {
      const there = () => frame.contentDocument?.querySelector('comet-bell') as CometBell | null;
      await waitFor(() => here.unread === 3 && there()?.unread === 3, 8000, 'three unread in both tabs');
      here.markAllRead();
      await waitFor(() => there()!.unread === 0, 2000, 'the other tab caught up');
      await server.publish(channel, { title: 'After' });
      await waitFor(() => here.unread === 1 && there()!.unread === 1, 5000, 'a new one unread in both');
    } finally {
      frame.remove();
    }
    here.remove();
    const { element: reloaded } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${key}"></comet-bell>`);
    await waitFor(() => reloaded.notifications.length === 4, 5000, 'history loaded after reload');
    expect(reloaded.unread).to.equal(1);
  });

  it('renders hostile notifications as text and links only http(s)', async () => {
    const { bell, channel } = await liveBell();
    await server.publishMany([
      { channel, data: { title: HOSTILE, message: HOSTILE, url: 'javascript:window.__pwned=true' } },
      { channel, data: { title: 'Safe', url: 'https://example.com/ok' } },
    ]);
    await waitFor(() => bell.unread === 2, 5000, 'two unread');
    bell.show();
    await bell.updateComplete;
    expectRenderedAsText(bell);
    expect([...bell.shadowRoot!.querySelectorAll('a')].map((a) => a.href)).to.deep.equal(['https://example.com/ok']);
  });

  it('uses replacement strings and shows the empty state', async () => {
    const { bell } = await liveBell();
    bell.strings = { empty: 'Nichts Neues.', heading: 'Mitteilungen' };
    bell.show();
    await waitFor(() => part(bell, 'empty')?.textContent === 'Nichts Neues.', 3000, 'empty state');
    expect(part(bell, 'heading')!.textContent).to.equal('Mitteilungen');
  });

  it('has no axe violations, closed and open, light and dark', async () => {
    const { bell, channel } = await liveBell();
    await server.publishMany([{ channel, data: { title: 'Build passed', message: 'main is green', url: 'https://example.com/b' } }, { channel, data: 'Plain text' }]);
    await waitFor(() => bell.unread === 2, 5000, 'two unread');
    await expectNoAxeViolations(bell);
    bell.show();
    await waitFor(() => bell.open, 2000, 'open');
    bell.markRead([bell.notifications[0]!]);
    await bell.updateComplete;
    await expectNoAxeViolations(bell);
    bell.theme = 'dark';
    await bell.updateComplete;
    await expectNoAxeViolations(bell);
  });
});
