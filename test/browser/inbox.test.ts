/** client.inbox() against the real server, with two clients of one user that share no connection: two devices. */
import { expect } from '@esm-bundle/chai';
import { type CometClient, type InboxChangedEvent, type InboxCounts } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { ownClients } from '../support/own-clients.js';

const server = getTestServer();
const clients = ownClients();
const device = (user: string, name: string): Promise<CometClient> => clients.open({ sub: user }, `${user}-${name}`);

describe('client.inbox()', function () {
  this.timeout(20_000);

  it('a change on one device reaches the other live, with its counts', async () => {
    const user = uniqueChannel('inbox-user');
    await server.notify(user, { title: 'hello' }, { count: 3 });
    const laptop = await (await device(user, 'laptop')).inbox();
    const phone = await (await device(user, 'phone')).inbox();
    await Promise.all([laptop.start(), phone.start()]);
    expect(laptop.counts).to.deep.equal({ total: 3, unseen: 3, unread: 3 });

    const changes: InboxChangedEvent[] = [];
    laptop.addEventListener('changed', (event) => changes.push(event));
    const page = await phone.list();
    expect(page.items.map((item) => item.id)).to.deep.equal([3, 2, 1]);
    await phone.markRead([page.items[0]!.id]);
    await waitFor(() => changes.length === 1, 8000, 'the change on the laptop');
    expect(changes[0]!.change).to.deep.equal({ ids: [3], set: { read: true, seen: true } });
    expect(laptop.counts).to.deep.equal({ total: 3, unseen: 2, unread: 2 });

    await phone.markAllRead();
    await waitFor(() => laptop.counts?.unread === 0, 8000, 'all read on the laptop');
    await phone.archive([1]);
    await waitFor(() => (laptop.counts as InboxCounts).total === 2, 8000, 'archived on the laptop');
  });

  it('a new notification reaches every device with the new counts', async () => {
    const user = uniqueChannel('inbox-user');
    const laptop = await (await device(user, 'laptop')).inbox();
    await laptop.start();
    expect(laptop.counts).to.deep.equal({ total: 0, unseen: 0, unread: 0 });
    const added: number[] = [];
    laptop.addEventListener('added', (event) => added.push(event.item.id));
    await server.notify(user, { title: 'new' });
    await waitFor(() => added.length === 1, 8000, 'the added item');
    expect(laptop.counts).to.deep.equal({ total: 1, unseen: 1, unread: 1 });
  });

  it('pages reach items older than the stream history holds', async () => {
    const user = uniqueChannel('inbox-user');
    const { historySize } = await server.info();
    const count = historySize + 15;
    await server.notify(user, { title: 'bulk' }, { count });
    const laptop = await device(user, 'laptop');
    const inbox = await laptop.inbox();
    const ids: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await inbox.list({ limit: 100, ...(before ? { before } : {}) });
      ids.push(...page.items.map((item) => item.id));
      if (page.next === null) break;
      before = page.next;
    }
    expect(ids.length).to.equal(count);
    expect(ids.at(-1)).to.equal(1);
    const history = await laptop.history(inbox.channel!, { limit: historySize });
    expect(history.length).to.be.at.most(historySize);
  });

  it('refuses a bad change with the server\'s code', async () => {
    const inbox = await (await device(uniqueChannel('inbox-user'), 'laptop')).inbox();
    let code: string | undefined;
    await inbox.update({ ids: [0], set: { read: true } }).catch((error: { code?: string }) => (code = error.code));
    expect(code).to.equal('bad-change');
  });
});
