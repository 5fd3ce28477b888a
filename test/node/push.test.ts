/**
 * Web Push for the inbox against a stand-in push service on loopback that
 * checks the VAPID JWT and decrypts each message as a browser would: an item
 * goes to devices with no visible tab, exactly once; reading it anywhere
 * withdraws it; a gone subscription goes; private addresses are refused.
 * On memory and on Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { generateVapidKeys } from '../../server/push/vapid.js';
import type { InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { PushDevicesAnswerJson, PushNotificationMessage } from '../../src/protocol/push-protocol.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, until, type TestServer } from '../support/node-server.js';
import { startPushService, type StandInPushService, type TestSubscription } from '../support/push-service.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { startServerProcess, type ServerProcess } from '../support/scale/server-process.js';
import { storageBackends } from '../support/scale/storage-backends.js';

const SECRET = 'secret-for-push-tests';
const vapid = { ...generateVapidKeys(), subject: 'mailto:ops@example.com' };

function code(res: HttpResult): string {
  return res.json<{ error: { code: string } }>().error.code;
}

let users = 0;
async function newUser(server: TestServer) {
  const sub = `push-user-${(users += 1)}`;
  const auth = { Authorization: `Bearer ${await signToken({ sub, channels: [] }, SECRET)}` };
  const json = { ...auth, 'Content-Type': 'application/json' };
  return {
    sub,
    subscribe: (device: string, subscription: unknown) => http(`${server.base}/push/subscriptions`, { method: 'POST', headers: json, body: { device, subscription } }),
    unsubscribe: (device: string) => http(`${server.base}/push/subscriptions?device=${device}`, { method: 'DELETE', headers: auth }),
    devices: async () => (await http(`${server.base}/push/subscriptions`, { headers: auth })).json<PushDevicesAnswerJson>().devices.map((one) => one.device),
    visible: (device: string, visible: boolean) => http(`${server.base}/push/visibility`, { method: 'POST', headers: json, body: { device, visible } }),
    read: (ids: number[]) => http(`${server.base}/inbox/state`, { method: 'POST', headers: json, body: { ids, read: true } }),
    snooze: (ids: number[], until: number) => http(`${server.base}/inbox/snooze`, { method: 'POST', headers: json, body: { ids, until } }),
    preferences: (body: unknown) => http(`${server.base}/inbox/preferences`, { method: 'PUT', headers: json, body }),
    notify: (data: unknown, extra: Record<string, unknown> = {}) => server.comet.inbox.notify(sub, { data, ...extra }) as Promise<InboxItem>,
  };
}

for (const backend of storageBackends) describe(`push (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let service: StandInPushService;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  before(async () => {
    storage = await backend.start();
    service = await startPushService();
    server = await startServer({ ...storage.options, tokenSecret: SECRET, push: { vapid, ca: service.cert, allowedEndpoints: [service.origin], hiddenGraceMs: 0 } });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
    await service?.close();
  });
  const settled = () => server.comet.inbox.push!.settled();

  it('answers the VAPID public key', async () => {
    const res = await http(`${server.base}/push/key`);
    assert.equal(res.status, 200);
    assert.equal(res.json<{ publicKey: string }>().publicKey, vapid.publicKey);
  });

  it('with no tab open, sends exactly one encrypted push that decrypts to the item', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    assert.equal((await user.subscribe('device-laptop', subscription)).status, 201);
    const item = await user.notify({ title: 'Build failed', body: 'main is **red**' }, { severity: 'error', actions: [{ id: 'retry', label: 'Retry', kind: 'primary' }] });
    await settled();
    const pushes = service.for(subscription);
    assert.equal(pushes.length, 1);
    const [push] = pushes;
    assert.equal(push!.vapidValid, true, 'a VAPID JWT signed by the server key, for the service origin');
    assert.equal(push!.vapidKey, vapid.publicKey);
    assert.equal(push!.topic, `item-${item.id}`);
    assert.equal(push!.urgency, 'high');
    assert.equal(push!.ttl, '86400');
    const message = push!.message as PushNotificationMessage;
    assert.equal(message.kind, 'notification');
    assert.equal(message.id, item.id);
    assert.equal(message.title, 'Build failed');
    assert.equal(message.body, 'main is red');
    assert.equal(message.tag, `comet-inbox-${item.id}`);
    assert.deepEqual(message.actions, [{ action: 'retry', title: 'Retry' }]);
  });

  it('sends nothing to a device with a visible tab, and pushes once it is hidden', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    await user.subscribe('device-visible', subscription);
    assert.equal((await user.visible('device-visible', true)).status, 200);
    await user.notify({ title: 'seen on the tab' });
    await settled();
    assert.equal(service.for(subscription).length, 0, 'the visible tab shows it: no push');
    await user.visible('device-visible', false);
    const second = await user.notify({ title: 'after the tab was hidden' });
    await settled();
    assert.deepEqual(service.for(subscription).map((one) => (one.message as PushNotificationMessage).id), [second.id]);
  });

  it('withdraws a push when the item is read on another device', async () => {
    const user = await newUser(server);
    const phone = service.subscription();
    const laptop = service.subscription();
    await user.subscribe('device-phone', phone);
    await user.subscribe('device-laptop', laptop);
    await user.visible('device-laptop', true);
    const item = await user.notify({ title: 'Review requested' });
    await settled();
    assert.equal(service.for(phone).length, 1);
    assert.equal(service.for(laptop).length, 0);
    assert.equal((await user.read([item.id])).status, 200);
    await settled();
    const [, withdraw] = service.for(phone);
    assert.deepEqual(withdraw?.message, { kind: 'withdraw', ids: [item.id] });
    assert.equal(withdraw?.topic, `item-${item.id}`, 'the same topic: a push still held by the service is replaced');
    assert.equal(withdraw?.vapidValid, true);
    assert.equal(service.for(laptop).length, 0);
    // Read again: nothing left to withdraw.
    await user.read([item.id]);
    await settled();
    assert.equal(service.for(phone).length, 2);
  });

  it('pushes only the categories the user allows to push', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    await user.subscribe('device-prefs', subscription);
    assert.equal((await user.preferences({ categories: { digest: { push: false } } })).status, 200);
    await user.notify({ title: 'weekly digest' }, { category: 'digest' });
    const mention = await user.notify({ title: 'a mention' }, { category: 'mention' });
    await settled();
    assert.deepEqual(service.for(subscription).map((one) => (one.message as PushNotificationMessage).id), [mention.id]);
  });

  it('withdraws a snoozed item, and pushes it again when the snooze ends, to the devices with no visible tab', async () => {
    const user = await newUser(server);
    const phone = service.subscription();
    const laptop = service.subscription();
    await user.subscribe('device-snooze-phone', phone);
    await user.subscribe('device-snooze-laptop', laptop);
    const item = await user.notify({ title: 'Standup notes' });
    await settled();
    assert.equal(service.for(phone).length, 1);
    // The laptop's tab is open by the time the snooze ends: it shows the item, the laptop gets no push.
    await user.visible('device-snooze-laptop', true);
    assert.equal((await user.snooze([item.id], Date.now() + 300)).status, 200);
    await until(() => service.for(phone).length >= 3, 10_000, 'the push of the item back from its snooze');
    await settled();
    const [, withdrawn, back] = service.for(phone).map((one) => one.message as PushNotificationMessage | { kind: 'withdraw'; ids: number[] });
    assert.deepEqual(withdrawn, { kind: 'withdraw', ids: [item.id] }, 'snoozed: hidden on the device too');
    assert.equal(back?.kind, 'notification');
    const again = back as PushNotificationMessage;
    assert.equal(again.title, 'Standup notes');
    assert.notEqual(again.id, item.id, 'it comes back as a new item, as the inbox shows it');
    assert.equal(service.for(phone).length, 3);
    assert.deepEqual(service.for(laptop).map((one) => (one.message as { kind: string }).kind), ['notification', 'withdraw'], 'pushed before its tab opened, withdrawn at the snooze, nothing while visible');
  });

  it('replaces the push of a group that grew, and withdraws it where the newer item is not pushed', async () => {
    const user = await newUser(server);
    const phone = service.subscription();
    const laptop = service.subscription();
    await user.subscribe('device-group-phone', phone);
    await user.subscribe('device-group-laptop', laptop);
    const first = await user.notify({ title: 'Ada commented' }, { group: 'pr:7', actor: 'Ada' });
    await settled();
    assert.equal(service.for(phone).length, 1);
    assert.equal(service.for(laptop).length, 1);
    await user.visible('device-group-laptop', true);
    const second = await user.notify({ title: 'Grace commented' }, { group: 'pr:7', actor: 'Grace' });
    await settled();
    assert.equal(second.group?.count, 2, 'the newer comment folded into the group');
    const [pushA, pushB] = service.for(phone);
    const a = pushA!.message as PushNotificationMessage;
    const b = pushB!.message as PushNotificationMessage;
    assert.equal(b.id, second.id);
    assert.equal(b.replaces, first.id, 'the service worker closes the older one');
    assert.equal(b.tag, a.tag, 'one tag for the group: the device shows it once, whatever order pushes arrive in');
    assert.match(b.tag, /^comet-group-[A-Za-z0-9_-]{22}$/);
    assert.equal(pushB!.topic, pushA!.topic, 'one topic for the group: a push the service still holds is replaced');
    assert.match(pushB!.topic!, /^group-[A-Za-z0-9_-]{22}$/);
    const [, withdraw] = service.for(laptop);
    assert.deepEqual(withdraw?.message, { kind: 'withdraw', ids: [first.id] }, 'the laptop shows the group on its tab: its older push goes');
    assert.equal(withdraw?.topic, pushA!.topic);
    assert.equal(service.for(laptop).length, 2);
    // Reading the group's item withdraws its push from the phone, the one device it went to.
    await user.read([second.id]);
    await settled();
    assert.deepEqual(service.for(phone)[2]?.message, { kind: 'withdraw', ids: [second.id] });
    assert.equal(service.for(phone)[2]?.topic, pushB!.topic, 'under the group\'s topic, which replaces the push if the service still holds it');
    assert.equal(service.for(laptop).length, 2);
  });

  it('withdraws the push of a group whose newer item the user no longer allows to push', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    await user.subscribe('device-group-muted', subscription);
    const first = await user.notify({ title: 'Ada commented' }, { group: 'pr:9', category: 'comments' });
    await settled();
    assert.equal(service.for(subscription).length, 1);
    await user.preferences({ categories: { comments: { push: false } } });
    const second = await user.notify({ title: 'Grace commented' }, { group: 'pr:9', category: 'comments' });
    await settled();
    assert.equal(second.group?.count, 2);
    const messages = service.for(subscription).map((one) => one.message);
    assert.equal(messages.length, 2, 'nothing pushed for the newer item');
    assert.deepEqual(messages[1], { kind: 'withdraw', ids: [first.id] });
  });

  it('removes a subscription the push service says is gone (410)', async () => {
    const user = await newUser(server);
    const gone = service.subscription();
    const kept = service.subscription();
    await user.subscribe('device-gone', gone);
    await user.subscribe('device-kept', kept);
    service.answer(gone, 410);
    await user.notify({ title: 'to both' });
    await settled();
    assert.equal(service.for(gone).length, 1);
    assert.deepEqual(await user.devices(), ['device-kept']);
  });

  it('unsubscribes a device', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    await user.subscribe('device-leaving', subscription);
    assert.deepEqual((await user.unsubscribe('device-leaving')).json(), { removed: true });
    await user.notify({ title: 'nobody' });
    await settled();
    assert.equal(service.for(subscription).length, 0);
  });

  it('refuses malformed subscriptions and device ids', async () => {
    const user = await newUser(server);
    const good = service.subscription();
    assert.equal(code(await user.subscribe('short', good)), 'bad-device');
    assert.equal(code(await user.subscribe('device-ok-1', { ...good, keys: { p256dh: 'AAAA', auth: good.keys.auth } })), 'bad-subscription');
    assert.equal(code(await user.subscribe('device-ok-1', { ...good, keys: { p256dh: good.keys.p256dh, auth: 'AAAA' } })), 'bad-subscription');
    assert.equal(code(await user.subscribe('device-ok-1', { endpoint: 'javascript:alert(1)', keys: good.keys })), 'push-endpoint-refused');
    assert.equal(code(await user.visible('device-ok-1', 'yes' as unknown as boolean)), 'bad-visibility');
  });
});

describe('push endpoints are refused on private addresses by default', () => {
  let server: TestServer;
  let service: StandInPushService;
  before(async () => {
    service = await startPushService();
    // "localhost" listed as a host name (like the known services), not as a trusted origin.
    server = await startServer({ tokenSecret: SECRET, push: { vapid, ca: service.cert, allowedEndpoints: ['localhost'] } });
  });
  after(async () => {
    await server?.close();
    await service?.close();
  });

  it('refuses an endpoint on a loopback or private IP, or a host that is no push service', async () => {
    const user = await newUser(server);
    const subscription: TestSubscription = service.subscription();
    for (const endpoint of [subscription.endpoint, 'https://10.0.0.8/push/x', 'https://[::1]:8443/push/x', 'https://evil.example/push/x', 'http://fcm.googleapis.com/fcm/send/x']) {
      const res = await user.subscribe('device-private', { ...subscription, endpoint });
      assert.equal(res.status, 400, endpoint);
      assert.equal(code(res), 'push-endpoint-refused', endpoint);
    }
    assert.equal((await user.subscribe('device-fcm', { ...subscription, endpoint: 'https://fcm.googleapis.com/fcm/send/abc' })).status, 201, 'a known service is accepted');
  });

  it('checks the address again when sending: a host that resolves to loopback gets nothing, and its subscription goes', async () => {
    const user = await newUser(server);
    const subscription = service.subscription();
    const rebound = { ...subscription, endpoint: subscription.endpoint.replace('127.0.0.1', 'localhost') };
    assert.equal((await user.subscribe('device-rebound', rebound)).status, 201);
    await user.notify({ title: 'must not leave' });
    await server.comet.inbox.push!.settled();
    assert.equal(service.received.length, 0, 'no request reached the loopback service');
    assert.deepEqual(await user.devices(), []);
  });

  it('answers 501 push-off on a server without VAPID keys', async () => {
    const off = await startServer({ tokenSecret: SECRET });
    try {
      const res = await http(`${off.base}/push/key`);
      assert.equal(res.status, 501);
      assert.equal(code(res), 'push-off');
    } finally {
      await off.close();
    }
  });
});

describe('push visibility grace and expiry', () => {
  let service: StandInPushService;
  let graceful: TestServer;
  let expiring: TestServer;
  before(async () => {
    service = await startPushService();
    const push = { vapid, ca: service.cert, allowedEndpoints: [service.origin] };
    graceful = await startServer({ tokenSecret: SECRET, push: { ...push, hiddenGraceMs: 60_000 } });
    expiring = await startServer({ tokenSecret: SECRET, push: { ...push, visibleTtlMs: 1 } });
  });
  after(async () => {
    await graceful?.close();
    await expiring?.close();
    await service?.close();
  });

  it('still counts a device visible for the grace period after its last tab was hidden', async () => {
    const user = await newUser(graceful);
    const subscription = service.subscription();
    await user.subscribe('device-grace', subscription);
    await user.visible('device-grace', true);
    await user.visible('device-grace', false);
    await user.notify({ title: 'just after switching tabs' });
    await graceful.comet.inbox.push!.settled();
    assert.equal(service.for(subscription).length, 0);
  });

  it('counts a device not visible once its last report ran out (a crashed browser)', async () => {
    const user = await newUser(expiring);
    const subscription = service.subscription();
    await user.subscribe('device-crashed', subscription);
    await user.visible('device-crashed', true);
    const reported = Date.now();
    // visibleTtlMs is 1 ms: waits on the clock, not a fixed sleep.
    await until(() => Date.now() > reported + 1, 1000, 'the report to run out');
    const item = await user.notify({ title: 'nobody is looking' });
    await expiring.comet.inbox.push!.settled();
    assert.deepEqual(service.for(subscription).map((one) => (one.message as PushNotificationMessage).id), [item.id]);
  });
});

describe('push on two processes on one Redis', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  let service: StandInPushService;
  let a: ServerProcess;
  let b: ServerProcess;
  const publishKey = 'publish-key-for-push-tests';
  before(async () => {
    redis = await startRedis();
    service = await startPushService();
    const env = {
      COMET_VAPID_PUBLIC_KEY: vapid.publicKey,
      COMET_VAPID_PRIVATE_KEY: vapid.privateKey,
      COMET_VAPID_SUBJECT: vapid.subject,
      COMET_PUSH_ALLOWED_ENDPOINTS: service.origin,
      // How an operator trusts a private push service's certificate in the standalone server.
      NODE_EXTRA_CA_CERTS: service.certPath,
    };
    [a, b] = await Promise.all([startServerProcess({ redisUrl: redis.url, publishKey, env }), startServerProcess({ redisUrl: redis.url, publishKey, env })]);
  });
  after(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await service?.close();
    await redis?.close();
  });

  it('agrees on visibility through Redis, pushes once from one process and withdraws from the other', async () => {
    const user = `two-${Date.now()}`;
    const on = (server: ServerProcess, path: string) => `${server.origin}/comet${path}${path.includes('?') ? '&' : '?'}user=${user}`;
    const notify = (server: ServerProcess, title: string) =>
      http(`${server.origin}/comet/inbox/notify`, { method: 'POST', headers: { Authorization: `Bearer ${publishKey}` }, body: { user, data: { title } } });
    const subscription = service.subscription();
    assert.equal((await http(on(a, '/push/subscriptions'), { method: 'POST', body: { device: 'device-two-1', subscription } })).status, 201);
    // The device's tab reports to the other process.
    assert.equal((await http(on(b, '/push/visibility'), { method: 'POST', body: { device: 'device-two-1', visible: true } })).status, 200);
    const seen = (await notify(a, 'while visible')).json<InboxItem>();
    await http(on(b, '/push/visibility'), { method: 'POST', body: { device: 'device-two-1', visible: false } });
    const pushed = (await notify(a, 'after hidden')).json<InboxItem>();
    // Each user's pushes leave a process in order: once the second is here, the first would have been.
    await until(() => service.for(subscription).length >= 1, 10_000, 'the push');
    assert.deepEqual(service.for(subscription).map((one) => (one.message as PushNotificationMessage).id), [pushed.id]);
    assert.notEqual(seen.id, pushed.id);
    assert.equal((await http(on(b, '/inbox/state'), { method: 'POST', body: { ids: [pushed.id], read: true } })).status, 200);
    await until(() => service.for(subscription).length >= 2, 10_000, 'the withdraw');
    assert.deepEqual(service.for(subscription)[1]?.message, { kind: 'withdraw', ids: [pushed.id] });
    assert.ok(service.for(subscription).every((one) => one.vapidValid));
  });
});
