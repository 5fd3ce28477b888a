/**
 * The inbox's rich fields, preferences, actions and snoozes through HTTP on
 * one server, on each store: what is refused and with which code, the
 * onAction hook, and the webhook's signing, retries and refusals against
 * real receivers on loopback.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { ActionWebhook, verifyWebhookSignature, webhookSignature } from '../../server/inbox/action-webhook.js';
import type { InboxOptions } from '../../server/inbox/inbox-service.js';
import type { InboxItem, InboxPreferencesAnswer } from '../../src/protocol/inbox-protocol.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, until, type TestServer } from '../support/node-server.js';
import { storageBackends } from '../support/scale/storage-backends.js';

const SECRET = 'secret-for-inbox-feature-tests';
const KEY = 'publish-key-for-inbox-feature-tests';
const HOOK_SECRET = 'webhook-secret-for-the-tests';

const code = (res: HttpResult): string => res.json<{ error: { code: string } }>().error.code;

/** A webhook receiver on loopback: `answer` decides each reply, every request is kept. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; requests: Array<{ body: string; signature: string }>; close(): Promise<void> }> {
  const requests: Array<{ body: string; signature: string }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ body, signature: String(req.headers['comet-signature']) });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function user(server: TestServer, sub: string) {
  const token = signToken({ sub, channels: [] }, SECRET);
  const headers = async (extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${await token}`, ...extra });
  return {
    notify: (notification: Record<string, unknown>) => http(`${server.base}/inbox/notify`, { headers: { Authorization: `Bearer ${KEY}` }, body: { user: sub, data: { title: 't' }, ...notification } }),
    preferences: async () => http(`${server.base}/inbox/preferences`, { headers: await headers() }),
    setPreferences: async (body: unknown) => http(`${server.base}/inbox/preferences`, { method: 'PUT', headers: await headers(), body }),
    /** `key` null: no Idempotency-Key header. */
    action: async (body: unknown, key: string | null = `key-${Math.random().toString(36).slice(2)}`) =>
      http(`${server.base}/inbox/action`, { method: 'POST', headers: await headers(key === null ? {} : { 'Idempotency-Key': key }), body }),
    snooze: async (body: unknown) => http(`${server.base}/inbox/snooze`, { method: 'POST', headers: await headers(), body }),
    list: async (query = '') => http(`${server.base}/inbox?${query}`, { headers: await headers() }),
  };
}

let users = 0;
const newSub = () => `feature-user-${(users += 1)}`;
const approve = [{ id: 'approve', label: 'Approve', kind: 'primary' }, { id: 'docs', label: 'Docs', kind: 'secondary', url: 'https://example.com/docs' }];

for (const backend of storageBackends) describe(`inbox features (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  const ran: string[] = [];
  let fail = false;
  let gate: Promise<void> | undefined;
  before(async () => {
    storage = await backend.start();
    const inbox: InboxOptions = {
      critical: ['security'],
      // Longer than any test holds the hook: the claiming request answers done, never pending, however loaded the machine.
      actionWaitMs: 60_000,
      onAction: async ({ action, idempotencyKey }) => {
        ran.push(`${action.id}:${idempotencyKey}`);
        // Held while a test has requests racing this one to the claim.
        await gate;
        if (fail) throw new Error('refused by the application');
        return { label: `  ${'Approved '.repeat(20)}` };
      },
    };
    server = await startServer({ ...storage.options, tokenSecret: SECRET, publishKey: KEY, inbox });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
  });

  it('refuses bad notification fields with 400 bad-notification naming the field', async () => {
    const ada = user(server, newSub());
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ category: 'a b' }, 'category'],
      [{ category: 'x'.repeat(65) }, 'category'],
      [{ severity: 'fatal' }, 'severity'],
      [{ avatar: 'javascript:alert(1)' }, 'avatar'],
      [{ avatar: 'data:image/svg+xml,<svg onload=alert(1)>' }, 'avatar'],
      [{ avatar: '/relative.png' }, 'avatar'],
      [{ avatar: `https://example.com/${'a'.repeat(2100)}` }, 'avatar'],
      [{ actor: '' }, 'actor'],
      [{ actor: 'x'.repeat(65) }, 'actor'],
      [{ actor: 'Ada\u202eevil' }, 'actor'],
      [{ actor: 'Ada\nBob' }, 'actor'],
      [{ actor: 7 }, 'actor'],
      [{ actions: 'approve' }, 'actions'],
      [{ actions: [...approve, { id: 'three', label: 'Three', kind: 'primary' }] }, 'actions'],
      [{ actions: [{ id: 'a', label: 'A', kind: 'danger' }] }, 'actions[0].kind'],
      [{ actions: [{ id: 'a b', label: 'A', kind: 'primary' }] }, 'actions[0].id'],
      [{ actions: [{ id: 'a', label: '<b>'.repeat(30), kind: 'primary' }] }, 'actions[0].label'],
      [{ actions: [{ id: 'a', label: 'A', kind: 'primary', url: 'javascript:alert(1)' }] }, 'actions[0].url'],
      [{ actions: [{ id: 'a', label: 'A', kind: 'primary', url: ' JaVaScRiPt:alert(1)' }] }, 'actions[0].url'],
      [{ actions: [{ id: 'a', label: 'A', kind: 'primary' }, { id: 'a', label: 'B', kind: 'secondary' }] }, 'actions[1].id'],
      [{ actions: [null] }, 'actions[0]'],
      [{ group: 'g'.repeat(129) }, 'group'],
      [{ group: 'a\u0000b' }, 'group'],
    ];
    // Every spelling of a script or data URL in SECURITY.md's catalogue, in both URL fields.
    for (const url of [' javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', '\u0000javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)']) {
      bad.push([{ avatar: url }, 'avatar'], [{ actions: [{ id: 'a', label: 'A', kind: 'primary', url }] }, 'actions[0].url']);
    }
    for (const [fields, field] of bad) {
      const res = await ada.notify(fields);
      assert.equal(res.status, 400, JSON.stringify(fields).slice(0, 80));
      assert.equal(code(res), 'bad-notification');
      assert.match(res.json<{ error: { message: string } }>().error.message, new RegExp(`^"${field.replace(/[[\]]/g, '\\$&')}"`));
    }
    assert.equal((await ada.list()).json<{ items: unknown[] }>().items.length, 0, 'nothing was stored');
    const good = (await ada.notify({ category: 'reviews', severity: 'error', avatar: 'https://example.com/a.png', actor: 'Ada Lovelace', actions: approve, group: 'pr:1' })).json<InboxItem>();
    assert.deepEqual([good.category, good.severity, good.avatar, good.actor, good.actions, good.group], ['reviews', 'error', 'https://example.com/a.png', 'Ada Lovelace', approve, { key: 'pr:1', count: 1, actors: ['Ada Lovelace'] }]);
  });

  it('refuses bad preferences with 400 bad-preferences, a muted critical category with 400 critical-category, and changes nothing then', async () => {
    const ada = user(server, newSub());
    const bad: unknown[] = [[], 7, null, { enabled: 'no' }, { categories: [] }, { categories: { 'a b': { inbox: false } } }, { categories: { a: { inbox: 'off' } } }, { categories: { a: true } }, { categories: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, { toast: false }])) }];
    for (const body of bad) {
      const res = await ada.setPreferences(body);
      assert.deepEqual([res.status, code(res)], [400, 'bad-preferences'], JSON.stringify(body).slice(0, 60));
    }
    const critical = await ada.setPreferences({ enabled: false, categories: { comments: { toast: false }, security: { push: false } } });
    assert.deepEqual([critical.status, code(critical)], [400, 'critical-category']);
    assert.deepEqual((await ada.preferences()).json<InboxPreferencesAnswer>().preferences, { enabled: true, categories: {} });
    // Names of Object.prototype's members are categories like any other.
    const odd = await ada.setPreferences(JSON.parse('{"categories": {"__proto__": {"inbox": false}, "constructor": {"toast": false}}}'));
    assert.equal(odd.status, 200);
    assert.deepEqual(odd.json<InboxPreferencesAnswer>().preferences.categories, JSON.parse('{"__proto__": {"inbox": false, "toast": true, "push": true}, "constructor": {"inbox": true, "toast": false, "push": true}}'));
    assert.deepEqual((await ada.notify({ type: 'constructor' })).json<InboxItem>().toast, false);
    assert.deepEqual((await ada.notify({ type: '__proto__' })).json(), { muted: true, category: '__proto__' });
    assert.deepEqual((await ada.notify({ type: 'toString' })).json<InboxItem>().toast, true, 'a category not set reaches every channel');
  });

  it('runs an action once for requests racing from several devices, with the hook\'s label trimmed to 64 characters', async () => {
    const ada = user(server, newSub());
    const item = (await ada.notify({ actions: approve })).json<InboxItem>();
    const before = ran.length;
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const answers: HttpResult[] = [];
    const racing = [0, 1, 2, 3].map((n) => ada.action({ id: item.id, action: 'approve' }, `device-${n}-click`).then((res) => answers.push(res)));
    await until(() => answers.length === 3, 10_000, 'three of four answered while the hook runs');
    open();
    gate = undefined;
    await Promise.all(racing);
    assert.equal(ran.length - before, 1, 'the hook ran once');
    const done = answers.filter((res) => res.status === 200).map((res) => res.json<{ item: InboxItem }>().item);
    assert.equal(done.length, 1);
    assert.deepEqual(answers.filter((res) => res.status === 202).map((res) => res.json()), [0, 1, 2].map(() => ({ status: 'pending', id: item.id })));
    assert.equal(done[0]!.result!.label, 'Approved '.repeat(20).trim().slice(0, 64));
    assert.equal(done[0]!.actions, undefined);
    const later = await ada.action({ id: item.id, action: 'approve' }, 'device-9-click');
    assert.deepEqual([later.status, later.json<{ item: InboxItem }>().item.result?.action], [200, 'approve']);
    assert.equal(ran.length - before, 1, 'still once');
  });

  it('lets go of an action the hook failed (502 action-failed): it may run again', async () => {
    const ada = user(server, newSub());
    const item = (await ada.notify({ actions: approve })).json<InboxItem>();
    fail = true;
    const failed = await ada.action({ id: item.id, action: 'approve' });
    fail = false;
    assert.deepEqual([failed.status, code(failed)], [502, 'action-failed']);
    const again = await ada.action({ id: item.id, action: 'approve' });
    assert.equal(again.status, 200);
  });

  it('refuses actions without a key, with a bad one, on a link, an unknown action or item, or a snoozed one', async () => {
    const ada = user(server, newSub());
    const item = (await ada.notify({ actions: approve })).json<InboxItem>();
    const cases: Array<[HttpResult, number, string]> = [
      [await ada.action({ id: item.id, action: 'approve' }, null), 400, 'idempotency-key-missing'],
      [await ada.action({ id: item.id, action: 'approve' }, 'short'), 400, 'bad-idempotency-key'],
      [await ada.action({ id: item.id, action: 'docs' }), 400, 'bad-action'],
      [await ada.action({ id: item.id, action: 'nope' }), 400, 'bad-action'],
      [await ada.action({ id: item.id, action: '<script>' }), 400, 'bad-action'],
      [await ada.action({ id: 0, action: 'approve' }), 400, 'bad-action'],
      [await ada.action([]), 400, 'bad-action'],
      [await ada.action({ id: 9999, action: 'approve' }), 404, 'no-item'],
    ];
    for (const [res, status, expected] of cases) assert.deepEqual([res.status, code(res)], [status, expected]);
    await ada.snooze({ ids: [item.id], until: Date.now() + 60_000 });
    const snoozed = await ada.action({ id: item.id, action: 'approve' });
    assert.deepEqual([snoozed.status, code(snoozed)], [404, 'no-item']);
  });

  it('refuses bad snoozes with 400 bad-snooze', async () => {
    const ada = user(server, newSub());
    const now = Date.now();
    for (const body of [{}, { ids: [], until: now + 1000 }, { ids: [1], until: now - 1 }, { ids: [1], until: now + 367 * 86_400_000 }, { ids: [1], until: 'tomorrow' }, { ids: [1], until: now + 1000.5 }, { ids: Array.from({ length: 501 }, (_, i) => i + 1), until: now + 1000 }, { ids: [-1], until: now + 1000 }]) {
      const res = await ada.snooze(body);
      assert.deepEqual([res.status, code(res)], [400, 'bad-snooze'], JSON.stringify(body).slice(0, 60));
    }
  });
});

describe('inbox action webhook', () => {
  const withWebhook = async (url: string, extra: Partial<NonNullable<InboxOptions['webhook']>> = {}) =>
    startServer({ tokenSecret: SECRET, publishKey: KEY, inbox: { webhook: { url, secret: HOOK_SECRET, retryMs: 10, timeoutMs: 2000, ...extra } } });

  it('signs each delivery with a timestamped HMAC-SHA256 over the body, and retries 5xx answers until one is 2xx', async () => {
    let calls = 0;
    const hook = await receiver((_req, res) => {
      calls += 1;
      res.writeHead(calls < 3 ? 503 : 200, { 'Content-Type': 'application/json' });
      res.end(calls < 3 ? '{}' : '{"label": "Merged"}');
    });
    const server = await withWebhook(hook.url);
    try {
      const ada = user(server, newSub());
      const item = (await ada.notify({ actions: approve })).json<InboxItem>();
      const res = await ada.action({ id: item.id, action: 'approve' });
      assert.deepEqual([res.status, res.json<{ item: InboxItem }>().item.result?.label], [200, 'Merged']);
      assert.equal(hook.requests.length, 3);
      for (const { body, signature } of hook.requests) {
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
        assert.equal(v1, createHmac('sha256', HOOK_SECRET).update(`${t}.${body}`).digest('hex'));
        assert.deepEqual(JSON.parse(body).action, 'approve');
      }
    } finally {
      await server.close();
      await hook.close();
    }
  });

  it('takes a 4xx as final (one try), follows no redirect, and gives the item its buttons back', async () => {
    const elsewhere = await receiver((_req, res) => res.end('{"label":"should not be reached"}'));
    const refusing = await receiver((_req, res) => {
      res.writeHead(422);
      res.end();
    });
    const redirecting = await receiver((_req, res) => {
      res.writeHead(307, { Location: elsewhere.url });
      res.end();
    });
    try {
      for (const [hook, tries] of [[refusing, 1], [redirecting, 1]] as const) {
        const server = await withWebhook(hook.url);
        try {
          const ada = user(server, newSub());
          const item = (await ada.notify({ actions: approve })).json<InboxItem>();
          const res = await ada.action({ id: item.id, action: 'approve' });
          assert.deepEqual([res.status, code(res)], [502, 'action-failed']);
          assert.equal(hook.requests.length, tries);
          const listed = (await ada.list()).json<{ items: InboxItem[] }>().items[0]!;
          assert.deepEqual([listed.result, listed.actions?.length], [undefined, 2]);
        } finally {
          await server.close();
        }
      }
      assert.equal(elsewhere.requests.length, 0, 'the redirect was not followed');
    } finally {
      await Promise.all([elsewhere.close(), refusing.close(), redirecting.close()]);
    }
  });

  it('stops after its tries when the receiver cannot be reached, and ignores an answer too large to be a label', async () => {
    const gone = await receiver(() => undefined);
    const url = gone.url;
    await gone.close();
    const server = await withWebhook(url, { attempts: 3 });
    const big = await receiver((_req, res) => res.end(JSON.stringify({ label: 'x'.repeat(10_000) })));
    const bigServer = await withWebhook(big.url);
    try {
      const ada = user(server, newSub());
      const item = (await ada.notify({ actions: approve })).json<InboxItem>();
      const res = await ada.action({ id: item.id, action: 'approve' });
      assert.deepEqual([res.status, code(res)], [502, 'action-failed']);
      const bob = user(bigServer, newSub());
      const other = (await bob.notify({ actions: approve })).json<InboxItem>();
      const answered = await bob.action({ id: other.id, action: 'approve' });
      assert.deepEqual([answered.status, answered.json<{ item: InboxItem }>().item.result?.label], [200, 'Approve'], 'the action\'s own label');
    } finally {
      await Promise.all([server.close(), bigServer.close()]);
      await big.close();
    }
  });

  it('holds at most maxQueue deliveries under way, refusing more with 503 webhook-busy', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hook = await receiver((_req, res) => void released.then(() => res.end('{}')));
    const server = await withWebhook(hook.url, { maxQueue: 1 });
    try {
      const ada = user(server, newSub());
      const items = [(await ada.notify({ actions: approve })).json<InboxItem>(), (await ada.notify({ actions: approve })).json<InboxItem>()];
      const first = ada.action({ id: items[0]!.id, action: 'approve' });
      await until(() => hook.requests.length === 1, 10_000, 'the first delivery');
      const second = await ada.action({ id: items[1]!.id, action: 'approve' });
      assert.deepEqual([second.status, code(second), second.headers['retry-after']], [503, 'webhook-busy', '5']);
      release();
      assert.equal((await first).status, 200);
      assert.equal((await ada.action({ id: items[1]!.id, action: 'approve' })).status, 200, 'its claim was let go');
    } finally {
      await server.close();
      await hook.close();
    }
  });

  it('gives Node receivers a signature check that holds only for the body, secret and time signed', () => {
    const body = '{"type":"inbox.action","id":1}';
    const now = Date.now();
    const header = webhookSignature(HOOK_SECRET, Math.floor(now / 1000), body);
    assert.equal(verifyWebhookSignature(HOOK_SECRET, header, body, now), true);
    assert.equal(verifyWebhookSignature(HOOK_SECRET, header, `${body} `, now), false, 'another body');
    assert.equal(verifyWebhookSignature('another-secret-of-the-tests', header, body, now), false, 'another secret');
    assert.equal(verifyWebhookSignature(HOOK_SECRET, header, body, now + 301_000), false, 'too late');
    for (const bad of [undefined, '', 't=1', `${header},v1=00`, header.toUpperCase(), ['x']]) assert.equal(verifyWebhookSignature(HOOK_SECRET, bad, body, now), false, String(bad));
  });

  it('refuses a webhook URL that is not http(s), and a short secret, when the server is made', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.com/', 'not a url', '', 'https://user:pass@example.com/hook']) {
      assert.throws(() => new ActionWebhook({ url, secret: HOOK_SECRET }), TypeError, url);
    }
    assert.throws(() => new ActionWebhook({ url: 'https://example.com/', secret: 'short' }), /at least 16/);
  });

  it('answers 501 actions-off on a server without a hook or webhook', async () => {
    const server = await startServer({ tokenSecret: SECRET, publishKey: KEY });
    try {
      const ada = user(server, newSub());
      const item = (await ada.notify({ actions: approve })).json<InboxItem>();
      const res = await ada.action({ id: item.id, action: 'approve' });
      assert.deepEqual([res.status, code(res)], [501, 'actions-off']);
    } finally {
      await server.close();
    }
  });
});
