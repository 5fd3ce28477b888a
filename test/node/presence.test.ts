import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { PresenceService } from '../../server/presence/presence-service.js';
import { signToken } from '../../server/auth/token.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { PresenceJoinData, PresenceLeaveData, RosterJson } from '../../src/protocol/presence-protocol.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';

/** Moves the fake clock on by `ms` and lets the sweeps it set off finish (they await the store and the broker). */
async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

function query(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) search.append(key, v);
  return search.toString();
}

describe('presence (anonymous server)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ presence: { ttlMs: 400 } });
  });
  after(() => server.close());

  const beat = (channel: string, session: string, user: string, name = user) =>
    http(`${server.base}/presence?${query({ ch: channel, session, user, name })}`, { method: 'POST' });
  const roster = async (channel: string) => (await http(`${server.base}/presence?${query({ ch: channel })}`)).json<{ rosters: RosterJson[] }>().rosters[0]!;
  const presenceEvents = (channel: string) => {
    const events: CometEvent[] = [];
    const stop = server.comet.broker.subscribe(`presence:${channel}`, (event) => events.push(event));
    return { events, stop };
  };

  it('counts a user once however many sessions beat, and publishes one join', async () => {
    const channel = uniqueChannel();
    const seen = presenceEvents(channel);
    const first = await beat(channel, 'session-aaaa1', 'ada', 'Ada');
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), { ttl: 400, user: 'ada', name: 'Ada' });
    await beat(channel, 'session-aaaa2', 'ada', 'Ada');
    await beat(channel, 'session-bbbb1', 'bob');
    const members = (await roster(channel)).members;
    assert.deepEqual(members.map((m) => m.user), ['ada', 'bob']);
    assert.deepEqual(seen.events.map((e) => [e.type, (e.data as PresenceJoinData).user]), [['presence.join', 'ada'], ['presence.join', 'bob']]);
    seen.stop();
  });

  it('publishes a leave only when the last session of a user leaves', async () => {
    const channel = uniqueChannel();
    await beat(channel, 'session-cccc1', 'cy');
    await beat(channel, 'session-cccc2', 'cy');
    const seen = presenceEvents(channel);
    const leave = (session: string) => http(`${server.base}/presence/leave?${query({ ch: channel, session, user: 'cy' })}`, { method: 'POST' });
    assert.equal((await leave('session-cccc1')).status, 200);
    assert.equal(seen.events.length, 0);
    await leave('session-cccc2');
    assert.deepEqual(seen.events.map((e) => [e.type, (e.data as PresenceLeaveData).reason]), [['presence.leave', 'left']]);
    assert.deepEqual((await roster(channel)).members, []);
    seen.stop();
  });

  it('removes a session that stops beating within 1.25 × TTL, with reason timeout', async (t) => {
    // On a fake clock: the bound is exact, whatever the machine's load.
    t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const broker = new MemoryBroker({ historySize: 100 });
    const presence = new PresenceService(broker, { ttlMs: 400 }, false);
    const channel = uniqueChannel();
    const events: CometEvent[] = [];
    const stop = broker.subscribe(`presence:${channel}`, (event) => events.push(event));
    const leaves = () => events.filter((event) => event.type === 'presence.leave').map((event) => event.data);
    try {
      await presence.heartbeat([channel], { user: 'dee', name: 'dee' }, 'session-dddd1');
      // Sweeps run every TTL/4; until the TTL has passed they find the session alive.
      await advance(t, 399);
      assert.deepEqual(leaves(), []);
      // By 1.25 × TTL a sweep has run after the expiry.
      await advance(t, 101);
      assert.deepEqual(leaves(), [{ user: 'dee', reason: 'timeout' }]);
    } finally {
      stop();
      await presence.close();
      await broker.close();
    }
  });

  it('gives the roster position so joins after it can be applied on top', async () => {
    const channel = uniqueChannel();
    await beat(channel, 'session-eeee1', 'eve');
    const { position, members } = await roster(channel);
    assert.equal(members.length, 1);
    assert.match(position, /^[a-z0-9]+-1$/);
  });

  it('refuses a missing session, a presence channel, and a bad user', async () => {
    const channel = uniqueChannel();
    const noSession = await http(`${server.base}/presence?${query({ ch: channel })}`, { method: 'POST' });
    assert.equal(noSession.status, 400);
    assert.equal(noSession.json<{ error: { code: string } }>().error.code, 'bad-session');
    const nested = await beat(`presence:${channel}`, 'session-ffff1', 'f');
    assert.equal(nested.json<{ error: { code: string } }>().error.code, 'bad-channel');
    const control = await beat(channel, 'session-ffff1', 'bad\u0007user');
    assert.equal(control.json<{ error: { code: string } }>().error.code, 'bad-user');
  });
});

describe('presence (server with tokens)', () => {
  let server: TestServer;
  const secret = 'presence-secret';
  before(async () => {
    server = await startServer({ tokenSecret: secret, presence: { ttlMs: 10_000 } });
  });
  after(() => server.close());

  it('takes the identity from the token, not from parameters', async () => {
    const channel = uniqueChannel();
    const token = await signToken({ sub: 'u1', name: 'Grace', channels: [channel, `presence:${channel}`] }, secret);
    const response = await http(`${server.base}/presence?${query({ ch: channel, session: 'session-gggg1', user: 'mallory' })}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.deepEqual(response.json(), { ttl: 10_000, user: 'u1', name: 'Grace' });
    const roster = await http(`${server.base}/presence?${query({ ch: channel, token })}`);
    assert.deepEqual(roster.json<{ rosters: RosterJson[] }>().rosters[0]!.members.map((m) => m.name), ['Grace']);
  });

  it('refuses anonymous presence, and a roster the token does not allow', async () => {
    const channel = uniqueChannel();
    const anonymous = await http(`${server.base}/presence?${query({ ch: channel, session: 'session-hhhh1', user: 'x' })}`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    const token = await signToken({ sub: 'u2', channels: [channel] }, secret);
    const roster = await http(`${server.base}/presence?${query({ ch: channel, token })}`);
    assert.equal(roster.status, 403);
    assert.equal(roster.json<{ error: { code: string } }>().error.code, 'channel-forbidden');
  });
});

describe('MemoryPresenceStore', () => {
  it('keeps a user while any session is unexpired, and reports the departure once', async () => {
    const { MemoryPresenceStore } = await import('../../server/presence/memory-presence-store.js');
    const store = new MemoryPresenceStore();
    const ada = { user: 'ada', name: 'Ada' };
    assert.equal(await store.touch('room', ada, 's1', 0, 100), true);
    assert.equal(await store.touch('room', ada, 's2', 10, 1000), false);
    assert.deepEqual(await store.expire(500), []);
    assert.deepEqual((await store.roster('room')).map((m) => [m.user, m.since]), [['ada', 0]]);
    assert.deepEqual(await store.expire(1000), [{ channel: 'room', user: 'ada' }]);
    assert.deepEqual(await store.expire(2000), []);
    assert.deepEqual(await store.roster('room'), []);
  });

  it('renames a member when a later heartbeat carries a new name', async () => {
    const { MemoryPresenceStore } = await import('../../server/presence/memory-presence-store.js');
    const store = new MemoryPresenceStore();
    await store.touch('room', { user: 'u', name: 'Old' }, 's', 0, 100);
    await store.touch('room', { user: 'u', name: 'New' }, 's', 1, 100);
    assert.equal((await store.roster('room'))[0]!.name, 'New');
    assert.equal(await store.leave('room', 'u', 'other-session'), false);
    assert.equal(await store.leave('room', 'u', 's'), true);
  });
});
