import { expect } from '@esm-bundle/chai';
import '../../components/index.js';
import type { CometBell } from '../../components/comet-bell/comet-bell.js';
import type { CometFeed } from '../../components/comet-feed/comet-feed.js';
import type { CometToasts } from '../../components/comet-toasts/comet-toasts.js';
import { channelLive, cleanup, mount, part } from '../support/components.js';
import { inboxDevices, removeDevices } from '../support/inbox-devices.js';
import { countComments, countNodes, countOutsideItems } from '../support/dom-nodes.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();
const BATCH = 100;
/** Events before the first count: the feed past its limit (virtualized), the bell past its own, toasts churning. */
const WARM_UP_BATCHES = 4;
const MEASURED_BATCHES = 20;

const nthOf = (data: unknown): number => (data as { n?: number } | null)?.n ?? -1;
/** The title of the newest item in the bell's list, as rendered. */
const bellNewest = (bell: CometBell): string | undefined => bell.shadowRoot?.querySelector('[part~="item"] [part="title"]')?.textContent?.replace(/^Unread: /, '');

/**
 * The page of issue 17: a feed, a bell and toasts on one channel, fed
 * through the real server in batches. Past the warm-up every element holds
 * as many items as it ever will, so the page's node count (comments
 * included) must not grow with the number of events.
 */
describe('a page open all day', function () {
  this.timeout(300_000);
  afterEach(cleanup);

  it('holds no more nodes after thousands of events than after the first few hundred', async () => {
    const channel = uniqueChannel();
    const { connection } = mount<HTMLElement>(
      `<comet-feed channel="${channel}" limit="200"></comet-feed>
       <comet-bell channel="${channel}" storage-key="${channel}"></comet-bell>
       <comet-toasts channel="${channel}" duration="1" motion="reduce"></comet-toasts>`,
    );
    const feed = connection.querySelector<CometFeed>('comet-feed')!;
    const bell = connection.querySelector<CometBell>('comet-bell')!;
    const toasts = connection.querySelector<CometToasts>('comet-toasts')!;
    await channelLive(connection, channel);
    await waitFor(() => feed.error === '' && bell.shadowRoot?.textContent?.includes('No notifications yet.') === true, 5000, 'history loaded');

    let n = 0;
    const settle = async (): Promise<void> => {
      await waitFor(() => nthOf(feed.items[0]?.data) === n && bellNewest(bell) === `Event ${n}`, 20_000, `event ${n} in the feed and the bell`);
      // Toasts of this batch shown and gone (1 ms each), so the stack is as empty as after the warm-up.
      await waitFor(() => toasts.toasts.length === 0 && toasts.queued.length === 0, 20_000, 'the toasts to drain');
      await Promise.all([feed.updateComplete, bell.updateComplete, toasts.updateComplete]);
      // The virtualizer renders its range a frame or two after the items change.
      for (let frame = 0; frame < 3; frame += 1) await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    const publishBatch = async (): Promise<void> => {
      await server.publishMany(Array.from({ length: BATCH }, () => ({ channel, data: { title: `Event ${++n}`, n } })));
      await settle();
    };

    for (let batch = 0; batch < WARM_UP_BATCHES; batch += 1) await publishBatch();
    // The virtualizer loads the first time the feed passes 30 items: its module may still be on its way.
    await waitFor(() => feed.shadowRoot!.querySelector('[part="list"].virtual') !== null, 20_000, 'the feed virtualized');
    await settle();
    const before = { nodes: countNodes(connection), comments: countComments(connection), outside: countOutsideItems(connection) };
    for (let batch = 0; batch < MEASURED_BATCHES; batch += 1) await publishBatch();
    const after = { nodes: countNodes(connection), comments: countComments(connection), outside: countOutsideItems(connection) };

    const events = MEASURED_BATCHES * BATCH;
    const perEvent = (after.nodes - before.nodes) / events;
    console.log(`long-lived page: ${before.nodes} → ${after.nodes} nodes (${before.comments} → ${after.comments} comments; outside items ${before.outside} → ${after.outside}) over ${events} events: ${perEvent.toFixed(3)} per event`);
    // The virtualizer renders a few items more or fewer as its layout settles (more so under load): that is layout, not
    // growth. What lists keep besides their items and their markers must not move at all.
    expect(after.outside - before.outside, `nodes outside items ${before.outside} → ${after.outside} over ${events} events`).to.be.at.most(4);
    expect(after.nodes - before.nodes, `nodes ${before.nodes} → ${after.nodes} over ${events} events`).to.be.at.most(600);
  });
});

describe('an inbox open all day', function () {
  this.timeout(300_000);
  afterEach(removeDevices);

  it('holds no more nodes after hundreds of live notifications than after the first 250', async () => {
    const { user, elements } = await inboxDevices<CometBell>('<comet-bell inbox></comet-bell>', 1);
    const [bell] = elements as [CometBell];
    const newest = (): number => Number(bell.shadowRoot?.querySelector<HTMLElement>('[part~="item"]')?.dataset['id'] ?? 0);
    // The bell follows the inbox once its first item shows; from then on every notification arrives live.
    const [first] = await server.notify(user, { title: 'First' });
    await waitFor(() => newest() === first!.id, 8000, 'the first item');
    let last = first!.id;
    const send = async (count: number): Promise<void> => {
      const items = await server.notify(user, { title: 'Live' }, { count });
      last = items.at(-1)!.id;
      await waitFor(() => newest() === last, 20_000, `item ${last}`);
      await bell.updateComplete;
    };
    // Until the view holds the 200 it keeps (a burst past the stream's history may come as a reload of the first page instead).
    for (let round = 0; round < 5 && bell.shadowRoot!.querySelectorAll('[part~="item"]').length < 200; round += 1) await send(150);
    expect(bell.shadowRoot!.querySelectorAll('[part~="item"]').length, 'the view full').to.equal(200);
    const before = countNodes(bell);
    await send(500);
    const after = countNodes(bell);
    console.log(`inbox open all day: ${before} → ${after} nodes over 500 notifications`);
    expect(after - before, `nodes ${before} → ${after}`).to.be.at.most(20);
    expect(part(bell, 'load-older'), 'older ones can be loaded again').to.not.equal(undefined);
  });
});
