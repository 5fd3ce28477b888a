import { expect } from '@esm-bundle/chai';
import '../index.js';
import type { CometBell } from './comet-bell.js';
import { expectNoAxeViolations, part, parts } from '../../test/support/components.js';
import { getTestServer, waitFor } from '../../test/support/env.js';
import { deviceClient, inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';

const server = getTestServer();

const titles = (bell: CometBell): string[] => parts(bell, 'title').map((el) => el.textContent!.replace(/^Unread: /, '').trim());
const view = (bell: CometBell, name: string): HTMLButtonElement => parts(bell, 'view').find((el) => el.textContent!.trim() === name) as HTMLButtonElement;

describe('<comet-bell inbox>', function () {
  this.timeout(20_000);
  afterEach(removeDevices);

  it('two devices of one user: reading, archiving and mark-all-read on one update the other live', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    await server.notify(user, { title: 'First' });
    await server.notify(user, { title: 'Second' });
    await server.notify(user, { title: 'Third' });
    await waitFor(() => laptop.unread === 3 && phone.unread === 3, 8000, 'three unread on both');
    await expectNoAxeViolations(laptop);

    phone.show();
    await waitFor(() => titles(phone).length === 3, 5000, 'the phone lists three');
    expect(titles(phone)).to.deep.equal(['Third', 'Second', 'First']);
    await expectNoAxeViolations(phone);

    // Read one on the phone: the laptop's badge follows.
    (parts(phone, 'mark-read')[0] as HTMLButtonElement).click();
    await waitFor(() => laptop.unread === 2, 8000, 'laptop unread 2');

    // Archive one on the phone: gone from the laptop's list.
    laptop.show();
    await waitFor(() => titles(laptop).length === 3, 5000, 'the laptop lists three');
    (parts(phone, 'archive').at(-1) as HTMLButtonElement).click();
    await waitFor(() => titles(laptop).length === 2, 8000, 'archived on the laptop');
    expect(titles(laptop)).to.deep.equal(['Third', 'Second']);
    await waitFor(() => laptop.unread === 1, 5000, 'laptop unread 1 once the archived unread one is gone');

    // Mark all read on the laptop: the phone's badge empties.
    part(laptop, 'mark-all')!.click();
    // The counts and the items' states come in frames of their own: the list may follow the badge by a moment.
    await waitFor(() => phone.unread === 0, 8000, 'phone all read');
    await waitFor(() => parts(phone, 'unread').length === 0, 5000, 'no unread item left in the phone\'s list');
    await expectNoAxeViolations(laptop);

    // The Archived view of the phone holds the archived one.
    view(phone, 'Archived').click();
    await waitFor(() => titles(phone).join() === 'First', 5000, 'archived view');
    expect(view(phone, 'Archived').getAttribute('aria-pressed')).to.equal('true');
    await expectNoAxeViolations(phone);

    // The Unread view is empty, and says so.
    view(phone, 'Unread').click();
    await waitFor(() => part(phone, 'empty')?.textContent === 'Nothing unread.', 5000, 'unread view empty');
    await expectNoAxeViolations(phone);
  });

  it('a page read before a change made on another device does not undo that change when it arrives', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    for (const title of ['Keep me', 'Keep me too', 'Archive me too']) await server.notify(user, { title });
    await waitFor(() => laptop.unread === 3 && phone.unread === 3, 8000, 'three unread on both');
    laptop.show();
    await waitFor(() => titles(laptop).length === 3, 5000, 'the laptop lists three');
    const [laptopInbox, phoneInbox] = await Promise.all([deviceClient(laptop).inbox(), deviceClient(phone).inbox()]);
    let heardLive = false;
    let landed = false;
    laptopInbox.addEventListener('changed', (event) => (heardLive ||= event.change.set.archived === true));
    // The order a real server gives only by chance, made certain: the laptop's next page is read at the
    // server, then the phone archives an item of it, and the page lands only after the laptop heard that live.
    const list = laptopInbox.list.bind(laptopInbox);
    laptopInbox.list = async (options) => {
      const page = await list(options);
      const target = page.items.find((item) => (item.data as { title?: string }).title === 'Archive me too');
      if (target) {
        await phoneInbox.update({ ids: [target.id], set: { archived: true } });
        await waitFor(() => heardLive, 8000, 'the archive heard live on the laptop');
      }
      // Once the view has taken the page (its continuation runs before any timer).
      setTimeout(() => (landed = true), 0);
      return page;
    };
    view(laptop, 'Unread').click();
    await waitFor(() => landed, 10_000, 'the page, after the archive was heard');
    await laptop.updateComplete;
    // Checked the moment the page is in: a later refresh must not be what hides the item.
    expect(titles(laptop)).to.deep.equal(['Keep me too', 'Keep me']);
    expect(heardLive).to.equal(true);
  });

  it('marks items seen as they become visible; the unseen badge counts what was not', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox count="unseen"></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    await server.notify(user, { title: 'New' });
    await waitFor(() => laptop.unread === 1 && phone.unread === 1, 8000, 'one unseen on both');
    expect(part(phone, 'button')!.getAttribute('aria-label')).to.equal('Notifications, 1 new');
    phone.show();
    await waitFor(() => laptop.unread === 0, 8000, 'seen on the phone, so on the laptop');
    // Seen is not read.
    expect(parts(phone, 'unread')).to.have.length(1);
  });

  it('marks an item read when its link is opened, on every device', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>');
    const [laptop, phone] = elements as [CometBell, CometBell];
    await server.notify(user, { title: 'Your export is ready', url: 'https://example.com/exports/42' });
    await waitFor(() => laptop.unread === 1 && phone.unread === 1, 8000, 'one unread on both');
    phone.show();
    await waitFor(() => part(phone, 'link') !== undefined, 5000, 'the link');
    // The page stays put: the test reaches no other host.
    phone.shadowRoot!.addEventListener('click', (event) => event.preventDefault(), { capture: true });
    part(phone, 'link')!.click();
    await waitFor(() => laptop.unread === 0, 8000, 'read on the laptop');
    expect(phone.unread).to.equal(0);
  });

  it('keeps the badge where the changes made here put it while their answers travel, however the earlier ones come back', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    await server.notify(user, { title: 'Read me' });
    await waitFor(() => bell.unread === 1, 8000, 'one unread');
    const inbox = await deviceClient(bell).inbox();
    // Registered after the bell's own listener: when an echo is heard here, the bell has handled it.
    const echoes: string[] = [];
    inbox.addEventListener('changed', (event) => echoes.push(Object.keys(event.change.set).sort().join('+')));
    // Every change this page sends waits here until the test lets it go, so the order of events is the test's.
    const original = window.fetch;
    const held: Array<() => Promise<void>> = [];
    window.fetch = (input, init) => {
      if (!String(input instanceof Request ? input.url : input).includes('/inbox/state')) return original(input, init);
      return new Promise((resolve, reject) => {
        held.push(async () => {
          const response = await original(input, init).catch((error: unknown) => (reject(error), undefined));
          if (response) resolve(response);
        });
      });
    };
    // Each change's answer, as the bell's inbox view gets it: awaited after the view's own wait, it says the view has taken it.
    const answers: Array<Promise<unknown>> = [];
    const update = inbox.update.bind(inbox);
    inbox.update = (change) => {
      const answer = update(change);
      answers.push(answer);
      return answer;
    };
    try {
      bell.show();
      await waitFor(() => held.length === 1, 5000, 'the item marked seen as it shows');
      (parts(bell, 'mark-read')[0] as HTMLButtonElement).click();
      await waitFor(() => held.length === 2, 5000, 'the read change');
      await bell.updateComplete;
      expect(bell.unread, 'read here, at once').to.equal(0);
      // The seen change reaches the server first: its answer and its echo both count the item unread still.
      await held[0]!();
      await waitFor(() => echoes.includes('seen'), 5000, 'the echo of the seen change');
      await answers[0];
      await bell.updateComplete;
      expect(bell.unread, 'an earlier change\'s counts do not undo a later one').to.equal(0);
      await held[1]!();
      await waitFor(() => echoes.includes('read+seen'), 5000, 'the echo of the read change');
      await bell.updateComplete;
      expect(bell.unread).to.equal(0);
      expect(inbox.counts?.unread).to.equal(0);
    } finally {
      window.fetch = original;
    }
  });

  it('rolls back a change the server refuses, with a message', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    await server.notify(user, { title: 'Keep me' });
    // The server's word that the item was seen (shown at once here, confirmed through the user's channel).
    const inbox = await deviceClient(bell).inbox();
    let seenConfirmed = false;
    inbox.addEventListener('changed', (event) => (seenConfirmed ||= event.change.set.seen === true));
    bell.show();
    await waitFor(() => titles(bell).length === 1 && seenConfirmed, 8000, 'one listed and seen');
    await server.inboxOutage(user, 60_000);
    (parts(bell, 'mark-read')[0] as HTMLButtonElement).click();
    await waitFor(() => (part(bell, 'notice')?.textContent ?? '') !== '', 8000, 'the notice');
    expect(part(bell, 'notice')!.textContent).to.contain('undone');
    expect(part(bell, 'notice')!.textContent).to.contain('outage');
    expect(parts(bell, 'unread')).to.have.length(1);
    expect(bell.unread).to.equal(1);
    await expectNoAxeViolations(bell);
  });
});
