import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { MemoryInboxStore } from '../../server/inbox/memory-inbox-store.js';
import type { InboxAddedData, InboxChangedData, InboxCounts, InboxPage } from '../../src/protocol/inbox-protocol.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, type TestServer } from '../support/node-server.js';
import { storageBackends } from '../support/scale/storage-backends.js';
import { openSse } from '../support/sse-client.js';

const SECRET = 'secret-for-inbox-tests';
const KEY = 'publish-key-for-inbox-tests';

function code(res: HttpResult): string {
  return res.json<{ error: { code: string } }>().error.code;
}

for (const backend of storageBackends) describe(`inbox (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  before(async () => {
    storage = await backend.start();
    server = await startServer({ ...storage.options, tokenSecret: SECRET, publishKey: KEY, inbox: { maxItemsPerUser: 30, maxUsers: 1000 } });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
  });

  let users = 0;
  const newUser = async () => {
    const sub = `user-${(users += 1)}`;
    const token = await signToken({ sub, channels: [] }, SECRET);
    const auth = { Authorization: `Bearer ${token}` };
    return {
      sub,
      token,
      list: (query = '') => http(`${server.base}/inbox?${query}`, { headers: auth }),
      counts: async () => (await http(`${server.base}/inbox/counts`, { headers: auth })).json<{ counts: InboxCounts }>().counts,
      change: (body: unknown) => http(`${server.base}/inbox/state`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body }),
      notify: (n: number) => Promise.all(Array.from({ length: n }, (_, i) => server.comet.inbox.notify(sub, { data: { title: `n${i + 1}` } }))),
    };
  };

  it('lists newest first, in pages, and counts unseen and unread', async () => {
    const user = await newUser();
    await user.notify(5);
    const first = (await user.list('limit=2')).json<InboxPage>();
    assert.deepEqual(first.items.map((i) => i.id), [5, 4]);
    assert.equal(first.channel, `inbox:${user.sub}`);
    assert.deepEqual(first.counts, { total: 5, unseen: 5, unread: 5 });
    const second = (await user.list(`limit=2&before=${first.next}`)).json<InboxPage>();
    assert.deepEqual(second.items.map((i) => i.id), [3, 2]);
    const last = (await user.list(`limit=2&before=${second.next}`)).json<InboxPage>();
    assert.deepEqual(last.items.map((i) => i.id), [1]);
    assert.equal(last.next, null);
  });

  it('changes some items, or every item up to an id; reading sees; filters follow', async () => {
    const user = await newUser();
    await user.notify(6);
    assert.equal((await user.change({ ids: [2, 3], seen: true })).status, 200);
    assert.deepEqual(await user.counts(), { total: 6, unseen: 4, unread: 6 });
    await user.change({ ids: [6], read: true });
    assert.deepEqual(await user.counts(), { total: 6, unseen: 3, unread: 5 });
    await user.change({ ids: [1], archived: true });
    assert.deepEqual(await user.counts(), { total: 5, unseen: 2, unread: 4 });
    assert.deepEqual((await user.list('filter=archived')).json<InboxPage>().items.map((i) => i.id), [1]);
    assert.deepEqual((await user.list('filter=unread')).json<InboxPage>().items.map((i) => i.id), [5, 4, 3, 2]);
    await user.change({ upTo: 4, read: true });
    assert.deepEqual((await user.list('filter=unread')).json<InboxPage>().items.map((i) => i.id), [5]);
    assert.deepEqual(await user.counts(), { total: 5, unseen: 1, unread: 1 });
  });

  it('publishes additions and changes, with counts, on the user\'s own channel, which only that user may read', async () => {
    const user = await newUser();
    const stream = await openSse(server.sseUrl([`inbox:${user.sub}`], { token: user.token }));
    try {
      helloOf(await stream.next());
      await user.notify(1);
      const added = eventOf(await stream.next()) as CometEvent<InboxAddedData>;
      assert.equal(added.type, 'inbox.added');
      assert.equal(added.data.item.id, 1);
      assert.deepEqual(added.data.counts, { total: 1, unseen: 1, unread: 1 });
      await user.change({ upTo: 1, read: true });
      const changed = eventOf(await stream.next()) as CometEvent<InboxChangedData>;
      assert.equal(changed.type, 'inbox.changed');
      assert.deepEqual(changed.data, { change: { upTo: 1, set: { read: true, seen: true } }, counts: { total: 1, unseen: 0, unread: 0 } });
    } finally {
      stream.close();
    }
    const other = await newUser();
    const refused = await http(server.sseUrl([`inbox:${user.sub}`], { token: other.token }));
    assert.equal(refused.status, 403);
  });

  it('publishes nothing for a change that changes nothing', async () => {
    const user = await newUser();
    await user.notify(1);
    await user.change({ ids: [1], read: true });
    const answer = (await user.change({ ids: [1], read: true })).json<{ changed: number }>();
    assert.equal(answer.changed, 0);
    assert.equal((await server.comet.broker.recent(`inbox:${user.sub}`, 10)).length, 2);
  });

  it('keeps at most maxItemsPerUser items, dropping the oldest', async () => {
    const user = await newUser();
    await user.notify(35);
    const page = (await user.list('limit=100')).json<InboxPage>();
    assert.equal(page.items.length, 30);
    assert.equal(page.items.at(-1)!.id, 6);
  });

  it('refuses bad requests with clear codes', async () => {
    const user = await newUser();
    const cases: Array<[Promise<HttpResult>, number, string]> = [
      [http(`${server.base}/inbox`), 401, 'token-missing'],
      [user.list('filter=starred'), 400, 'bad-filter'],
      [user.list('limit=0'), 400, 'bad-limit'],
      [user.list('limit=101'), 400, 'bad-limit'],
      [user.list('before=x'), 400, 'bad-before'],
      [user.change({ ids: [1] }), 400, 'bad-change'],
      [user.change({ ids: [1], upTo: 2, read: true }), 400, 'bad-change'],
      [user.change({ ids: [0], read: true }), 400, 'bad-change'],
      [user.change({ ids: Array.from({ length: 501 }, (_, i) => i + 1), read: true }), 400, 'bad-change'],
      [user.change({ ids: [1], read: 'yes' }), 400, 'bad-change'],
      [user.change([1]), 400, 'bad-change'],
    ];
    for (const [request, status, expected] of cases) {
      const res = await request;
      assert.equal(res.status, status, res.text);
      assert.equal(code(res), expected);
    }
  });

  it('lets a backend notify with the publish key', async () => {
    const user = await newUser();
    const notify = (body: unknown, key = KEY) => http(`${server.base}/inbox/notify`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body });
    const res = await notify({ user: user.sub, type: 'comment', data: { title: 'Ada replied' } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await user.list()).json<InboxPage>().items[0]!.type, 'comment');
    assert.equal(code(await notify({ user: user.sub, data: 1 }, 'wrong')), 'publish-key-invalid');
    assert.equal(code(await notify({ user: '', data: 1 })), 'bad-user');
    assert.equal(code(await notify({ user: user.sub })), 'bad-event');
  });

  it('hashes user ids that are not valid channel names into a channel of their own', async () => {
    const sub = 'Zoë Example';
    const token = await signToken({ sub }, SECRET);
    await server.comet.inbox.notify(sub, { data: 1 });
    const page = (await http(`${server.base}/inbox`, { headers: { Authorization: `Bearer ${token}` } })).json<InboxPage>();
    assert.match(page.channel, /^inbox:h\.[A-Za-z0-9_-]+$/);
    const stream = await openSse(server.sseUrl([page.channel], { token }));
    helloOf(await stream.next());
    stream.close();
  });
});

describe('MemoryInboxStore limits', () => {
  it('refuses a new user beyond maxUsers with 507 inbox-full', async () => {
    const store = new MemoryInboxStore({ maxUsers: 2 });
    await store.add('a', { type: 't', data: 1, time: 1 });
    await store.add('b', { type: 't', data: 1, time: 1 });
    await store.add('a', { type: 't', data: 2, time: 2 });
    await assert.rejects(store.add('c', { type: 't', data: 1, time: 1 }), (error: { status?: number; code?: string }) => error.status === 507 && error.code === 'inbox-full');
  });
});

describe('MemoryInboxStore bytes', () => {
  it('refuses a notification past maxBytes with 507 inbox-full, and frees the bytes of items it drops', async () => {
    const store = new MemoryInboxStore({ maxBytes: 300, maxItemsPerUser: 2 });
    const data = 'x'.repeat(90);
    for (let i = 0; i < 5; i += 1) await store.add('a', { type: 't', data, time: i });
    // Two items of ~93 bytes held: the three dropped gave their bytes back.
    assert.ok(store.bytes < 200, `${store.bytes} bytes`);
    await store.add('b', { type: 't', data, time: 1 });
    await assert.rejects(store.add('c', { type: 't', data, time: 1 }), (error: { status?: number; code?: string }) => error.status === 507 && error.code === 'inbox-full');
    assert.equal((await store.list('a', 'all', undefined, 10)).items.every((item) => !('bytes' in item)), true);
  });
});

describe('MemoryInboxStore preferences', () => {
  it('counts preferences against maxBytes: past it a change that adds categories is refused with 507 inbox-full', async () => {
    const store = new MemoryInboxStore({ maxBytes: 1000 });
    const categories = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`category-${String(from + i).padStart(40, '0')}`, { toast: false }]));
    await store.setPreferences('a', { categories: categories(0, 10) }, 100);
    assert.ok(store.bytes > 500, `${store.bytes} bytes`);
    await assert.rejects(store.setPreferences('b', { categories: categories(10, 10) }, 100), (error: { status?: number; code?: string }) => error.status === 507 && error.code === 'inbox-full');
    assert.deepEqual(await store.preferences('b'), { enabled: true, categories: {} }, 'nothing kept of the refused change');
    // Changing switches of categories already held adds nothing.
    await store.setPreferences('a', { categories: { [Object.keys(categories(0, 1))[0]!]: { inbox: false } } }, 100);
  });
});

describe('inbox change rate', () => {
  it('limits how often one user changes the inbox (429 with Retry-After)', async () => {
    const server = await startServer({ tokenSecret: SECRET });
    try {
      const token = await signToken({ sub: 'flooder' }, SECRET);
      await server.comet.inbox.notify('flooder', { data: 1 });
      let res: HttpResult | undefined;
      // Bursts of 40: a bounded run of changes meets the limit.
      for (let i = 0; i < 60 && res?.status !== 429; i += 1) {
        res = await http(`${server.base}/inbox/state`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: { ids: [1], read: i % 2 === 0 } });
      }
      assert.equal(res?.status, 429);
      assert.equal(code(res!), 'rate-limited');
      assert.ok(Number(res!.headers['retry-after']) >= 1);
    } finally {
      await server.close();
    }
  });
});

describe('inbox refusals a page can act on', () => {
  it('speak of a token or the identity option, not of wire parameters', async () => {
    const anonymous = await startServer({ inbox: { anonymous: true } });
    const withTokens = await startServer({ tokenSecret: SECRET });
    try {
      const nameless = await http(`${anonymous.base}/inbox/counts`);
      assert.equal(nameless.status, 400);
      const unnamed = nameless.json<{ error: { code: string; message: string } }>().error;
      assert.equal(unnamed.code, 'bad-user');
      assert.match(unnamed.message, /identity option \(identity: \{ user: 'ada' \}/);
      assert.match(unnamed.message, /a token naming the user/);
      assert.doesNotMatch(unnamed.message, /\?user=/);

      const tokenless = await http(`${withTokens.base}/inbox/counts`);
      assert.equal(tokenless.status, 401);
      const missing = tokenless.json<{ error: { code: string; message: string } }>().error;
      assert.equal(missing.code, 'token-missing');
      assert.match(missing.message, /give createClient a token naming the user/);
      assert.match(missing.message, /cometkit-server --dev/);
    } finally {
      await anonymous.close();
      await withTokens.close();
    }
  });
});
