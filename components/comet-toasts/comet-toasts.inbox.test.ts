import { expect } from '@esm-bundle/chai';
import '../index.js';
import type { CometToasts } from './comet-toasts.js';
import { getTestServer, waitFor } from '../../test/support/env.js';
import { deviceClient, inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';

const server = getTestServer();

describe('<comet-toasts inbox>', function () {
  this.timeout(20_000);
  afterEach(removeDevices);

  it('toasts new inbox notifications but never those of a category muted for toasts, and a growing group in one toast', async () => {
    const { user, elements } = await inboxDevices<CometToasts>('<comet-toasts inbox duration="0" motion="reduce"></comet-toasts>');
    const [laptop, phone] = elements as [CometToasts, CometToasts];
    // Muted on the phone; the server flags the category's items for every device.
    const inbox = await deviceClient(phone).inbox();
    await inbox.start();
    await inbox.setPreferences({ categories: { digest: { toast: false } } });
    const shown: string[] = [];
    laptop.addEventListener('comet-toast-show', (event) => shown.push(event.detail.toast.title));
    // Both elements follow the inbox before anything is sent: wait for a first toast on each.
    await server.notify(user, { title: 'Hello' }, { category: 'greetings' });
    await waitFor(() => laptop.toasts.length === 1 && phone.toasts.length === 1, 8000, 'the first toast on both');
    await server.notify(user, { title: 'Weekly digest', body: 'Nothing **new**' }, { category: 'digest' });
    for (const actor of ['Ada', 'Bob', 'Cy']) await server.notify(user, { title: `${actor} replied`, body: 'on [the thread](https://example.com/t)' }, { category: 'replies', group: 'thread:3', actor, severity: 'success' });
    await waitFor(() => laptop.toasts.some((toast) => toast.title === 'Cy replied'), 8000, 'the group’s latest');
    // In order on the user's channel: the digest came before the replies, and was not toasted.
    for (const element of [laptop, phone]) {
      await waitFor(() => element.toasts.some((toast) => toast.title === 'Cy replied'), 8000, 'the replies');
      expect(element.toasts.map((toast) => [toast.title, toast.message])).to.deep.equal([
        ['Hello', ''],
        ['Cy replied', 'on the thread'],
      ]);
    }
    expect(shown, 'the group shown once, then updated in place').to.deep.equal(['Hello', 'Ada replied']);
    expect(laptop.toasts[1]!.severity).to.equal('success');
  });
});
