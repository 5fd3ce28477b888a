import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { RosterJson } from '../../src/protocol/presence-protocol.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { storageBackends } from '../support/scale/storage-backends.js';

for (const backend of storageBackends) describe(`POST /presence/state (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  before(async () => {
    storage = await backend.start();
    server = await startServer({ ...storage.options, presence: { ttlMs: 60_000, maxStateBytes: 64 } });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
  });

  const q = (channel: string, session: string, user: string) => new URLSearchParams({ ch: channel, session, user }).toString();
  const setState = (channel: string, session: string, user: string, body: unknown) =>
    http(`${server.base}/presence/state?${q(channel, session, user)}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const roster = async (channel: string) => (await http(`${server.base}/presence?ch=${channel}`)).json<{ rosters: RosterJson[] }>().rosters[0]!;
  const follow = async (channel: string) => {
    const events: CometEvent[] = [];
    const stop = server.comet.broker.subscribe(`presence:${channel}`, (event) => events.push(event));
    // A read waits until the subscription is live (Redis confirms it asynchronously), so nothing published next is missed.
    await server.comet.broker.read(`presence:${channel}`, undefined);
    return { events, stop };
  };

  it('joins the member, stores the state in the roster and publishes presence.state once per change', async () => {
    const channel = uniqueChannel();
    const seen = await follow(channel);
    assert.equal((await setState(channel, 'session-ada-1', 'ada', { state: { typing: true } })).status, 200);
    await setState(channel, 'session-ada-1', 'ada', { state: { typing: true } });
    assert.deepEqual((await roster(channel)).members.map((m) => [m.user, m.state]), [['ada', { typing: true }]]);
    assert.equal((await setState(channel, 'session-ada-1', 'ada', { state: null })).status, 200);
    assert.deepEqual((await roster(channel)).members.map((m) => [m.user, m.state]), [['ada', undefined]]);
    // With Redis, live events arrive through pub/sub after the answers: wait for the third, then check all.
    await until(() => seen.events.length >= 3, 5000, 'three presence events');
    assert.deepEqual(
      seen.events.map((e) => [e.type, e.data]),
      [
        ['presence.join', { user: 'ada', name: 'ada', since: (seen.events[0]!.data as { since: number }).since }],
        ['presence.state', { user: 'ada', state: { typing: true } }],
        ['presence.state', { user: 'ada', state: null }],
      ],
    );
    seen.stop();
  });

  it('forgets the state when the member leaves', async () => {
    const channel = uniqueChannel();
    await setState(channel, 'session-bob-1', 'bob', { state: { away: true } });
    await http(`${server.base}/presence/leave?${q(channel, 'session-bob-1', 'bob')}`, { method: 'POST' });
    await http(`${server.base}/presence?${q(channel, 'session-bob-1', 'bob')}`, { method: 'POST' });
    assert.deepEqual((await roster(channel)).members.map((m) => m.state), [undefined]);
  });

  it('refuses a state over maxStateBytes with 413, and a body without "state" with 400', async () => {
    const channel = uniqueChannel();
    const big = await setState(channel, 'session-cy-01', 'cy', { state: 'x'.repeat(100) });
    assert.equal(big.status, 413);
    assert.equal(big.json<{ error: { code: string } }>().error.code, 'state-too-large');
    const bad = await setState(channel, 'session-cy-01', 'cy', { typing: true });
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'bad-state');
  });

  it('limits how often one user sets a state (429 with Retry-After)', async () => {
    const channel = uniqueChannel();
    let status = 0;
    let retryAfter: unknown;
    for (let i = 0; i < 40 && status !== 429; i += 1) {
      const res = await setState(channel, 'session-dee-1', 'dee', { state: { n: i } });
      status = res.status;
      retryAfter = res.headers['retry-after'];
    }
    assert.equal(status, 429);
    assert.ok(Number(retryAfter) >= 1);
  });
});
