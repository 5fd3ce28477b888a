/**
 * The inbox SDK's preferences, actions, groups and snoozes against the real
 * server, with two clients of one user that share no connection: two devices.
 */
import { expect } from '@esm-bundle/chai';
import {
  type Inbox,
  type InboxAddedEvent,
  type InboxPreferencesEvent,
  type InboxSnoozedEvent,
  type InboxUpdatedEvent,
} from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { ownClients } from '../support/own-clients.js';

const server = getTestServer();
const clients = ownClients();

async function device(user: string, name: string): Promise<Inbox> {
  const inbox = await (await clients.open({ sub: user }, `${user}-${name}`)).inbox();
  await inbox.start();
  return inbox;
}

describe('client.inbox(): preferences, actions, groups, snoozes', function () {
  this.timeout(20_000);

  it('a preference set on one device reaches the other; a critical category cannot be muted; a muted one never arrives', async () => {
    const user = uniqueChannel('inbox-user');
    const [laptop, phone] = [await device(user, 'laptop'), await device(user, 'phone')];
    const heard: InboxPreferencesEvent[] = [];
    phone.addEventListener('preferences', (event) => heard.push(event));
    const added: InboxAddedEvent[] = [];
    phone.addEventListener('added', (event) => added.push(event));

    const answer = await laptop.setPreferences({ categories: { comments: { toast: false }, marketing: { inbox: false } } });
    expect(answer.preferences.categories['comments']).to.deep.equal({ inbox: true, toast: false, push: true });
    expect(answer.critical).to.deep.equal(['security']);
    await waitFor(() => heard.length === 1, 8000, 'the change on the phone');
    expect(heard[0]!.preferences).to.deep.equal(answer.preferences);

    let code: string | undefined;
    await laptop.setPreferences({ categories: { security: { inbox: false } } }).catch((error: { code?: string }) => (code = error.code));
    expect(code).to.equal('critical-category');
    expect((await phone.preferences()).preferences).to.deep.equal(answer.preferences);

    await server.notify(user, { title: 'Sale' }, { type: 'promo', category: 'marketing' });
    await server.notify(user, { title: 'Ada replied' }, { type: 'comments' });
    await server.notify(user, { title: 'New sign-in' }, { type: 'login', category: 'security' });
    await waitFor(() => added.length === 2, 8000, 'two notifications on the phone');
    expect(added.map((event) => [event.item.category, event.item.toast])).to.deep.equal([
      ['comments', false],
      ['security', true],
    ]);
  });

  it('an action run on two devices at once runs once and changes the item on both', async () => {
    const user = uniqueChannel('inbox-user');
    const [laptop, phone] = [await device(user, 'laptop'), await device(user, 'phone')];
    const updates: InboxUpdatedEvent[][] = [[], []];
    laptop.addEventListener('updated', (event) => updates[0]!.push(event));
    phone.addEventListener('updated', (event) => updates[1]!.push(event));
    const [item] = await server.notify(user, { title: 'Merge #12?' }, { type: 'review', severity: 'info', actions: [{ id: 'approve', label: 'Approve', kind: 'primary' }, { id: 'reject', label: 'Reject', kind: 'secondary' }] });
    const answers = await Promise.all([laptop.runAction(item!.id, 'approve'), phone.runAction(item!.id, 'approve')]);
    const done = answers.filter((answer) => answer.status === 'done');
    expect(done.length).to.be.at.least(1);
    for (const answer of done) expect(answer.status === 'done' && [answer.item.result?.label, answer.item.actions]).to.deep.equal(['Approved', undefined]);
    await waitFor(() => updates.every((list) => list.length >= 1), 8000, 'the update on both devices');
    for (const list of updates) {
      expect(list.length).to.equal(1, 'one run, one update');
      expect([list[0]!.item.id, list[0]!.item.result?.action, list[0]!.item.actions]).to.deep.equal([item!.id, 'approve', undefined]);
    }
    // Once done, another action of the item answers the result: the item's action ran.
    const again = await phone.runAction(item!.id, 'reject');
    expect(again.status === 'done' && again.item.result?.action).to.equal('approve');
  });

  it('an action the application fails gives the buttons back, on every device, and may run again', async () => {
    const user = uniqueChannel('inbox-user');
    const [laptop, phone] = [await device(user, 'laptop'), await device(user, 'phone')];
    const updates: InboxUpdatedEvent[] = [];
    phone.addEventListener('updated', (event) => updates.push(event));
    const [item] = await server.notify(user, { title: 'Deploy?', failAction: true }, { actions: [{ id: 'approve', label: 'Approve', kind: 'primary' }] });
    let code: string | undefined;
    await laptop.runAction(item!.id, 'approve').catch((error: { code?: string }) => (code = error.code));
    expect(code).to.equal('action-failed');
    await waitFor(() => updates.length === 1, 8000, 'the unchanged item on the phone');
    expect([updates[0]!.item.result, updates[0]!.item.actions?.length]).to.deep.equal([undefined, 1]);
  });

  it('notifications of one group arrive as one item, each replacing the one before', async () => {
    const user = uniqueChannel('inbox-user');
    const phone = await device(user, 'phone');
    const added: InboxAddedEvent[] = [];
    phone.addEventListener('added', (event) => added.push(event));
    for (const actor of ['Ada', 'Bob', 'Cy']) await server.notify(user, { title: `${actor} replied` }, { type: 'reply', group: 'thread:1', actor });
    await waitFor(() => added.length === 3, 8000, 'three additions');
    expect(added.map((event) => event.replaces)).to.deep.equal([undefined, added[0]!.item.id, added[1]!.item.id]);
    expect(added[2]!.item.group).to.deep.equal({ key: 'thread:1', count: 3, actors: ['Cy', 'Bob', 'Ada'] });
    expect(phone.counts).to.deep.equal({ total: 1, unseen: 1, unread: 1 });
    expect((await phone.list()).items.map((item) => item.id)).to.deep.equal([added[2]!.item.id]);
  });

  it('a snoozed item leaves both devices and comes back unread at its time', async () => {
    const user = uniqueChannel('inbox-user');
    const [laptop, phone] = [await device(user, 'laptop'), await device(user, 'phone')];
    const snoozed: InboxSnoozedEvent[] = [];
    const back: InboxAddedEvent[] = [];
    phone.addEventListener('snoozed', (event) => snoozed.push(event));
    phone.addEventListener('added', (event) => event.replaces !== undefined && back.push(event));
    const [item] = await server.notify(user, { title: 'Later' });
    await laptop.markRead([item!.id]);
    // Far enough ahead that the snoozed view is read before it ends, however loaded the machine.
    const counts = await laptop.snooze([item!.id], new Date(Date.now() + 4000));
    expect(counts).to.deep.equal({ total: 0, unseen: 0, unread: 0 });
    await waitFor(() => snoozed.length === 1, 8000, 'the snooze on the phone');
    expect(snoozed[0]!.ids).to.deep.equal([item!.id]);
    expect((await phone.list({ filter: 'snoozed' })).items.map((one) => one.id)).to.deep.equal([item!.id]);
    await waitFor(() => back.length === 1, 15_000, 'the item back on the phone');
    expect([back[0]!.replaces, back[0]!.item.read, back[0]!.item.seen]).to.deep.equal([item!.id, false, false]);
    expect(phone.counts).to.deep.equal({ total: 1, unseen: 1, unread: 1 });
  });
});
