/**
 * The bell's read state comes from localStorage and a BroadcastChannel that
 * every tab and script of the origin can write. These tests write to both
 * as a broken or hostile page would, against a bell holding real
 * notifications from the test server.
 */
import { expect } from '@esm-bundle/chai';
import '../index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { formatPosition, parsePosition } from '../../src/protocol/position.js';
import type { CometBell } from './comet-bell.js';
import { cleanup, mount } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';

const server = getTestServer();
const CHANNEL_NAME = 'cometkit:read-state';
const HOUR = 60 * 60 * 1000;

interface Bell {
  readonly bell: CometBell;
  readonly channel: string;
  readonly events: readonly CometEvent[];
  /** Posts a read-state snapshot for this bell's key, as another tab would. */
  post(snapshot: unknown): void;
  /** Writes a snapshot for this bell's key to localStorage from another document, as another tab would. */
  store(snapshot: unknown): Promise<void>;
}

const storageKey = (key: string): string => `cometkit:read:${key}`;

/** A bell holding `count` notifications from the server, all unread. */
async function bellWith(count: number, stored?: unknown): Promise<Bell> {
  const channel = uniqueChannel();
  const key = `${channel}:${Math.random()}`;
  const events = await server.publishMany(Array.from({ length: count }, (_, n) => ({ channel, data: { title: `Notice ${n}` } })));
  if (typeof stored === 'function') stored = stored(events);
  if (stored !== undefined) localStorage.setItem(storageKey(key), typeof stored === 'string' ? stored : JSON.stringify(stored));
  const { element: bell } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${key}"></comet-bell>`);
  await waitFor(() => bell.notifications.length === count, 5000, 'the notifications');
  await bell.updateComplete;
  const sender = new BroadcastChannel(CHANNEL_NAME);
  opened.push(sender, () => localStorage.removeItem(storageKey(key)));
  return {
    bell,
    channel,
    events,
    post: (snapshot) => sender.postMessage({ key: storageKey(key), snapshot }),
    store: async (snapshot) => {
      // Written by another document of the origin, so this one gets the storage event.
      const frame = document.createElement('iframe');
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      frame.srcdoc = '<p>another page</p>';
      document.body.append(frame);
      await loaded;
      frame.contentWindow!.localStorage.setItem(storageKey(key), JSON.stringify(snapshot));
      frame.remove();
    },
  };
}

/**
 * The write of the report: a "read through" of an epoch the server never had,
 * with a time 59 minutes ahead, plus one real id to tell when it was read.
 */
const foreignMark = (events: readonly CometEvent[]) => ({ through: { id: 'zz9foreign-1', time: Date.now() + 59 * 60 * 1000 }, ids: [events[0]!.id] });

/** Publishes one more notification and waits until the bell shows it. */
async function later(bell: CometBell, channel: string, count: number): Promise<CometEvent> {
  const event = await server.publish(channel, { title: 'Later' });
  await waitFor(() => bell.notifications.length === count, 5000, 'the later notification');
  await bell.updateComplete;
  return event;
}

const opened: Array<BroadcastChannel | (() => void)> = [];

/** Every value the bell's reflected `unread` attribute takes from now on. */
function unreadTrail(bell: CometBell): () => string[] {
  const values: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) values.push(bell.getAttribute('unread') ?? '');
  });
  observer.observe(bell, { attributes: true, attributeFilter: ['unread'] });
  opened.push(() => observer.disconnect());
  return () => values;
}

/** An id in the events' epoch, `ahead` positions past the last one. */
function idAhead(events: readonly CometEvent[], ahead: number): string {
  const last = parsePosition(events.at(-1)!.id)!;
  return formatPosition({ epoch: last.epoch, seq: last.seq + ahead });
}

describe('<comet-bell> read state from other tabs and storage', function () {
  this.timeout(15_000);
  afterEach(() => {
    cleanup();
    for (const item of opened.splice(0)) typeof item === 'function' ? item() : item.close();
  });

  it('a "read through" ahead of every notification shown marks nothing, not even notifications that arrive later', async () => {
    const { bell, channel, events, post } = await bellWith(2);
    post({ through: [idAhead(events, 1_000_000_000)], ids: [events[0]!.id] });
    await waitFor(() => bell.unread === 1, 3000, 'the listed id to be read');
    expect(bell.isRead(events[1]!)).to.equal(false);
    const next = await later(bell, channel, 3);
    expect(bell.isRead(next)).to.equal(false);
    expect(bell.unread).to.equal(2);
  });

  it('a "read through" of another epoch, 59 minutes ahead, posted after load hides nothing, not even notifications that arrive later', async () => {
    const { bell, channel, events, post } = await bellWith(2);
    post(foreignMark(events));
    await waitFor(() => bell.unread === 1, 3000, 'the listed id to be read');
    await later(bell, channel, 3);
    expect(bell.unread).to.equal(2);
  });

  it('the same "read through" written to storage by another page after load hides nothing', async () => {
    const { bell, channel, events, store } = await bellWith(2);
    await store(foreignMark(events));
    await waitFor(() => bell.unread === 1, 3000, 'the listed id to be read');
    await later(bell, channel, 3);
    expect(bell.unread).to.equal(2);
  });

  it('the same "read through" held in storage at load hides nothing', async () => {
    const { bell, channel, events } = await bellWith(2, foreignMark);
    await waitFor(() => bell.unread === 1, 3000, 'the stored id to be read');
    expect(bell.isRead(events[0]!)).to.equal(true);
    await later(bell, channel, 3);
    expect(bell.unread).to.equal(2);
  });

  it('an id listed read before its notification arrived does not mark it read', async () => {
    const { bell, channel, events, post } = await bellWith(2);
    // The id the next event of the channel will have.
    post({ ids: [events[0]!.id, idAhead(events, 1)] });
    await waitFor(() => bell.unread === 1, 3000, 'the listed id to be read');
    const next = await later(bell, channel, 3);
    expect(next.id).to.equal(idAhead(events, 1));
    expect(bell.isRead(next)).to.equal(false);
    expect(bell.unread).to.equal(2);
  });

  it('ignores a message whose "read through" time no event could have', async () => {
    const { bell, events, post } = await bellWith(3);
    const trail = unreadTrail(bell);
    post({ through: { id: idAhead(events, 1_000_000), time: Date.now() + 10 * 365 * 24 * HOUR }, ids: [] });
    post({ through: { id: idAhead(events, 1_000_000), time: Number.MAX_VALUE }, ids: [] });
    // Messages from one sender arrive in order: once this one shows, the ones before were handled.
    post({ ids: [events[0]!.id] });
    await waitFor(() => bell.unread === 2, 3000, 'the valid message');
    expect(bell.isRead(events[0]!)).to.equal(true);
    expect(bell.isRead(events[2]!)).to.equal(false);
    expect(trail(), 'every unread count on the way').to.deep.equal(['2']);
  });

  it('ignores messages with ids, times or shapes that are not real', async () => {
    const { bell, events, post } = await bellWith(3);
    const trail = unreadTrail(bell);
    const junk: unknown[] = [
      null,
      'all',
      { ids: 'everything' },
      { ids: [events[1]!.id, '<img src=x onerror=alert(1)>'] },
      { ids: [events[1]!.id, 42] },
      { ids: [], through: [events[2]!.id, 42] },
      { ids: [], through: ['latest'] },
      { ids: [], through: { id: 'latest', time: events[2]!.time } },
      { ids: [], through: events[2]!.id },
      { ids: [], through: Array.from({ length: 9 }, () => events[2]!.id) },
    ];
    for (const snapshot of junk) post(snapshot);
    post({ ids: [events[0]!.id] });
    await waitFor(() => bell.unread === 2, 3000, 'the valid message');
    expect(events.map((event) => bell.isRead(event))).to.deep.equal([true, false, false]);
    expect(trail(), 'every unread count on the way').to.deep.equal(['2']);
  });

  it('takes at most the newest 500 ids from a message', async () => {
    const { bell, events, post } = await bellWith(2);
    const filler = Array.from({ length: 500 }, (_, n) => idAhead(events, 1000 + n));
    // The first real id is the 502nd newest: past the cap, dropped; the second is the newest, kept.
    post({ ids: [events[0]!.id, ...filler, events[1]!.id] });
    await waitFor(() => bell.unread === 1, 3000, 'the message');
    expect(bell.isRead(events[0]!)).to.equal(false);
    expect(bell.isRead(events[1]!)).to.equal(true);
  });

  it('starts from nothing read when storage holds a "read through" time no event could have', async () => {
    const { bell, events } = await bellWith(2, { through: { id: 'zzzz-999999999999999', time: Date.now() + 1000 * HOUR }, ids: [] });
    await bell.updateComplete;
    expect(bell.unread).to.equal(2);
    expect(events.map((event) => bell.isRead(event))).to.deep.equal([false, false]);
  });

  it('starts from nothing read when storage holds junk', async () => {
    const { bell } = await bellWith(2, '{"ids": [1, 2, 3], "through": null');
    await bell.updateComplete;
    expect(bell.unread).to.equal(2);
  });

  it('takes at most the newest 500 ids from storage', async () => {
    const channel = uniqueChannel();
    const key = `${channel}:${Math.random()}`;
    const events = await server.publishMany([1, 2].map((n) => ({ channel, data: { title: `Stored ${n}` } })));
    const filler = Array.from({ length: 20_000 }, (_, n) => idAhead(events, 1000 + n));
    localStorage.setItem(storageKey(key), JSON.stringify({ ids: [events[0]!.id, ...filler, events[1]!.id] }));
    opened.push(() => localStorage.removeItem(storageKey(key)));
    const { element: bell } = mount<CometBell>(`<comet-bell channel="${channel}" storage-key="${key}"></comet-bell>`);
    await waitFor(() => bell.notifications.length === 2, 5000, 'the notifications');
    await bell.updateComplete;
    expect(events.map((event) => bell.isRead(event))).to.deep.equal([false, true]);
    expect(bell.unread).to.equal(1);
  });
});
