import { expect } from '@esm-bundle/chai';
import '../index.js';
import type { CometFeed } from './comet-feed.js';
import { HOSTILE, expectNoAxeViolations, expectRenderedAsText, part, parts } from '../../test/support/components.js';
import { getTestServer, waitFor } from '../../test/support/env.js';
import { inboxDevices, removeDevices } from '../../test/support/inbox-devices.js';

const server = getTestServer();

describe('<comet-feed inbox>', function () {
  this.timeout(30_000);
  afterEach(removeDevices);

  it('scrolls endlessly into items older than the stream history', async () => {
    const { historySize } = await server.info();
    const { user, elements } = await inboxDevices<CometFeed>('<comet-feed inbox limit="50"></comet-feed>', 1);
    const [feed] = elements as [CometFeed];
    const count = historySize + 20;
    await server.notify(user, { title: 'Item' }, { count });
    // Followed live, the notifications all arrived as additions: switching views reloads the first page only.
    await waitFor(() => parts(feed, 'view').length === 3, 8000, 'the views');
    parts(feed, 'view').find((el) => el.textContent!.trim() === 'Unread')!.click();
    parts(feed, 'view').find((el) => el.textContent!.trim() === 'All')!.click();
    await waitFor(() => parts(feed, 'item').length === 50, 8000, 'first page');
    await expectNoAxeViolations(feed);
    // Scrolling to the end of the list loads the next page, until the oldest item.
    for (let round = 0; round < 20 && parts(feed, 'item').length < count; round += 1) {
      const shown = parts(feed, 'item').length;
      part(feed, 'load-older')?.scrollIntoView({ block: 'end' });
      await waitFor(() => parts(feed, 'item').length > shown, 8000, `more than ${shown} (load-older: ${part(feed, 'load-older')?.outerHTML})`);
    }
    const ids = parts(feed, 'item').map((el) => Number(el.dataset['id']));
    expect(ids.length).to.equal(count);
    expect(ids.at(-1)).to.equal(1);
    expect(part(feed, 'load-older')).to.equal(undefined);
  });

  it('renders hostile notification text as text', async () => {
    const { user, elements } = await inboxDevices<CometFeed>('<comet-feed inbox></comet-feed>', 1);
    const [feed] = elements as [CometFeed];
    await server.notify(user, { title: HOSTILE, message: HOSTILE, url: 'javascript:alert(1)' });
    await waitFor(() => parts(feed, 'item').length === 1, 8000, 'one item');
    expectRenderedAsText(feed);
    expect(part(feed, 'link')).to.equal(undefined);
  });
});
