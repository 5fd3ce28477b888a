import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometPresence } from './comet-presence.js';
import type { CometPresenceBadge } from '../comet-presence-badge/comet-presence-badge.js';
import { HOSTILE, cleanup, expectNoAxeViolations, expectRenderedAsText, mount, nextEvent, part, parts } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';

const server = getTestServer();
/** A token that may announce on `t.*` channels and read their presence. */
const tokenFor = (sub: string, name = sub) => server.token({ sub, name, channels: ['t.*', 'presence:t.*'] });
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

async function roster(channel: string, token: string): Promise<Array<{ user: string; name: string }>> {
  const response = await fetch(`${server.comet}/presence?ch=${encodeURIComponent(channel)}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { rosters: Array<{ members: Array<{ user: string; name: string }> }> };
  return body.rosters[0]!.members;
}

/** The joins and leaves published on presence:<channel>, oldest first. */
async function presenceHistory(channel: string, token: string): Promise<Array<{ type: string; data: { user: string; reason?: string } }>> {
  const response = await fetch(`${server.comet}/history?ch=${encodeURIComponent(`presence:${channel}`)}&limit=50`, { headers: { Authorization: `Bearer ${token}` } });
  return ((await response.json()) as { events: Array<{ type: string; data: { user: string; reason?: string } }> }).events;
}

describe('<comet-presence>', function () {
  // Several clients, each announcing and reading a roster, and one TTL to wait out.
  this.timeout(15_000);
  afterEach(cleanup);

  it('counts a user with two tabs once, and shows everyone who joins', async () => {
    const channel = uniqueChannel();
    const ada = unique('ada');
    const adaToken = await tokenFor(ada, 'Ada Lovelace');
    const first = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token: adaToken }).element;
    const second = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token: adaToken }).element;
    await waitFor(() => first.count === 1 && second.count === 1, 5000, 'Ada present in both');
    const grace = unique('grace');
    const joined = nextEvent<CustomEvent<{ joined: Array<{ user: string }> }>>(first, 'comet-presence-change');
    const third = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token: await tokenFor(grace, 'Grace Hopper') }).element;
    expect((await joined).detail.joined.map((m) => m.user)).to.deep.equal([grace]);
    await waitFor(() => first.count === 2 && second.count === 2 && third.count === 2, 5000, 'two people everywhere');
    const members = await roster(channel, adaToken);
    expect(members.map((m) => m.user).sort()).to.deep.equal([ada, grace].sort());
    await first.updateComplete;
    expect(parts(first, 'avatar').map((a) => a.textContent)).to.have.members(['AL', 'GH']);
    expect(part(first, 'self')!.textContent).to.equal('AL');
    expect(first.getAttribute('count')).to.equal('2');
  });

  it('counts a user once with a second tab (another document) open', async () => {
    const channel = uniqueChannel();
    const user = unique('tabs');
    const token = await tokenFor(user, 'Tab User');
    const here = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token }).element;
    const frame = document.createElement('iframe');
    frame.srcdoc = `<script type="module" src="/components/index.ts"></script>
      <comet-connection url=${JSON.stringify(server.comet)} token=${JSON.stringify(token)}><comet-presence channel="${channel}"></comet-presence></comet-connection>`;
    document.body.append(frame);
    try {
      const there = () => frame.contentDocument?.querySelector('comet-presence') as CometPresence | null;
      await waitFor(() => (there()?.members?.length ?? 0) > 0 && here.count > 0, 8000, 'both tabs see the user');
      expect(there()!.count).to.equal(1);
      expect(here.count).to.equal(1);
      expect((await roster(channel, token)).map((m) => m.user)).to.deep.equal([user]);
    } finally {
      frame.remove();
    }
  });

  it('removes a browser context that goes away without a goodbye within the TTL', async () => {
    const channel = uniqueChannel();
    const watcherToken = await tokenFor(unique('watcher'));
    const watcher = mount<CometPresence>(`<comet-presence channel="${channel}" watch></comet-presence>`, { token: watcherToken }).element;
    const ghost = unique('ghost');
    const token = await tokenFor(ghost, 'Ghost');
    const frame = document.createElement('iframe');
    frame.srcdoc = `<script type="module">
      import { CometClient } from '/src/index.ts';
      const client = new CometClient({ url: ${JSON.stringify(server.comet)}, token: ${JSON.stringify(token)} });
      client.presence(${JSON.stringify(channel)});
    </script>`;
    document.body.append(frame);
    try {
      await waitFor(() => watcher.members.some((m) => m.user === ghost), 8000, 'the framed client present');
      // A crash says no goodbye: the frame's leave request is made to fail before it goes.
      (frame.contentWindow as Window & typeof globalThis).fetch = () => Promise.reject(new Error('crashed'));
    } finally {
      frame.remove();
    }
    const left = new Promise<string[]>((resolve) =>
      watcher.addEventListener('comet-presence-change', (event) => event.detail.left.length > 0 && resolve(event.detail.left.map((m) => m.user))),
    );
    // TTL 1.5 s in the harness; the sweep runs every TTL/4, so 1.25 × TTL is the bound, plus delivery.
    await waitFor(() => watcher.count === 0, 4000, 'the silent user removed');
    expect(await left).to.deep.equal([ghost]);
    expect(watcher.members).to.deep.equal([]);
    const leave = (await presenceHistory(channel, watcherToken)).at(-1)!;
    expect(leave).to.deep.include({ type: 'presence.leave', data: { user: ghost, reason: 'timeout' } });
  });

  it('leaves at once when the element is removed', async () => {
    const channel = uniqueChannel();
    const watcherToken = await tokenFor(unique('w'));
    const watcher = mount<CometPresence>(`<comet-presence channel="${channel}" watch></comet-presence>`, { token: watcherToken }).element;
    const user = unique('leaver');
    const leaver = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token: await tokenFor(user) });
    await waitFor(() => watcher.count === 1, 5000, 'present');
    leaver.connection.remove();
    await waitFor(() => watcher.count === 0, 5000, 'left');
    // Said goodbye, rather than timed out.
    const leave = (await presenceHistory(channel, watcherToken)).at(-1)!;
    expect(leave).to.deep.include({ type: 'presence.leave', data: { user, reason: 'left' } });
  });

  it('takes the identity from <comet-connection user user-name> on a server without tokens', async () => {
    const channel = uniqueChannel();
    const user = unique('anon');
    const anonymous = { url: `${server.url}/anon`, user, 'user-name': 'Anna Nym' };
    const first = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, anonymous).element;
    const second = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, anonymous).element;
    await waitFor(() => first.count === 1 && second.count === 1 && first.members[0]?.name === 'Anna Nym', 5000, 'one anonymous member');
    expect(first.members.map((m) => m.user)).to.deep.equal([user]);
    await first.updateComplete;
    expect(part(first, 'self')!.textContent).to.equal('AN');
  });

  it('shows +N beyond max, opening the full list from the keyboard', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometPresence>(`<comet-presence channel="${channel}" max="2"></comet-presence>`, { token: await tokenFor(unique('me'), 'Me') });
    for (const name of ['Bo', 'Cy', 'Di']) mount(`<comet-presence channel="${channel}" hide-count></comet-presence>`, { token: await tokenFor(unique(name), name) });
    await waitFor(() => element.count === 4, 5000, 'four present');
    await element.updateComplete;
    expect(parts(element, 'avatar')).to.have.length(2);
    const more = part(element, 'overflow')!;
    expect(more.textContent?.trim()).to.match(/^\+2 more/);
    more.focus();
    await sendKeys({ press: 'Enter' });
    const panel = part(element, 'panel')!;
    await waitFor(() => panel.matches(':popover-open'), 2000, 'panel open');
    expect(panel.querySelectorAll('li')).to.have.length(4);
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !panel.matches(':popover-open'), 2000, 'panel closed');
    expect(part(element, 'count')!.textContent).to.equal('4 online');
  });

  it('renders a hostile display name as text', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometPresence>(`<comet-presence channel="${channel}"></comet-presence>`, { token: await tokenFor(unique('h'), HOSTILE.slice(0, 64)) });
    await waitFor(() => element.count === 1, 5000, 'present');
    await element.updateComplete;
    expectRenderedAsText(element);
  });

  it('has no axe violations, light and dark', async () => {
    const channel = uniqueChannel();
    const { element } = mount<CometPresence>(`<comet-presence channel="${channel}" max="1"></comet-presence>`, { token: await tokenFor(unique('a'), 'Ann Axe') });
    mount(`<comet-presence channel="${channel}" watch></comet-presence>`, { token: await tokenFor(unique('b'), 'Ben Axe') });
    mount(`<comet-presence channel="${channel}"></comet-presence>`, { token: await tokenFor(unique('c'), 'Cat Axe') });
    await waitFor(() => element.count === 2, 5000, 'two present');
    await element.updateComplete;
    await expectNoAxeViolations(element);
    element.theme = 'dark';
    await element.updateComplete;
    await expectNoAxeViolations(element);
  });
});

describe('<comet-presence-badge>', function () {
  this.timeout(15_000);
  afterEach(cleanup);

  it('turns online when the user joins and offline when they leave, firing events', async () => {
    const channel = uniqueChannel();
    const user = unique('bea');
    const { element } = mount<CometPresenceBadge>(`<comet-presence-badge channel="${channel}" user="${user}" label="Bea">Bea</comet-presence-badge>`, {
      token: await tokenFor(unique('viewer')),
    });
    await element.updateComplete;
    expect(element.online).to.equal(false);
    expect(part(element, 'dot')!.getAttribute('aria-label')).to.equal('Bea is offline');
    const online = nextEvent<CustomEvent<{ online: boolean }>>(element, 'comet-presence-badge-change');
    const bea = mount(`<comet-presence channel="${channel}"></comet-presence>`, { token: await tokenFor(user, 'Bea') });
    expect((await online).detail.online).to.equal(true);
    expect(element.hasAttribute('online')).to.equal(true);
    await element.updateComplete;
    expect(part(element, 'dot')!.getAttribute('aria-label')).to.equal('Bea is online');
    await expectNoAxeViolations(element);
    const offline = nextEvent<CustomEvent<{ online: boolean }>>(element, 'comet-presence-badge-change');
    bea.connection.remove();
    expect((await offline).detail.online).to.equal(false);
  });

  it('renders a hostile label as text', async () => {
    const { element } = mount<CometPresenceBadge>(`<comet-presence-badge channel="${uniqueChannel()}" user="x"></comet-presence-badge>`, { token: await tokenFor(unique('v')) });
    element.label = HOSTILE;
    await element.updateComplete;
    expect(part(element, 'dot')!.getAttribute('aria-label')).to.contain('<img src=x');
    expect(element.shadowRoot!.querySelector('img, script')).to.equal(null);
  });
});
