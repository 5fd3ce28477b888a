/**
 * Access ends when the token ends: a stream, a held poll or a presence
 * session opened with a token that expires is ended when a new request with
 * that token would be refused, with a frame (or status) that says so, and
 * nothing published after that instant reaches it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import type { HeartbeatJson } from '../../src/protocol/presence-protocol.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { openIframe } from '../support/iframe-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse, StreamEndedError, type SseFrame } from '../support/sse-client.js';

const SECRET = 'secret-for-token-expiry-tests';
const PAGE = 'http://page.example';
/** Seconds a token lives in these tests: long enough to open a stream and see an event under load. */
const LIFETIME_S = 3;

/** A token whose `exp` is LIFETIME_S from now, and the instant (ms) the server stops accepting it (no clock tolerance here). */
async function shortToken(sub: string, channels: string[]): Promise<{ token: string; until: number }> {
  const exp = Math.floor(Date.now() / 1000) + LIFETIME_S;
  return { token: await signToken({ sub, channels, exp }, SECRET), until: exp * 1000 };
}

/** Waits (on the clock, which is what is tested) until `instant` has passed. */
async function pastInstant(instant: number): Promise<void> {
  while (Date.now() < instant) await sleep(Math.max(1, instant - Date.now()));
}

describe('access ends when the token ends', { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ tokenSecret: SECRET, tokenClockToleranceSeconds: 0, allowedOrigins: [PAGE], heartbeatMs: 60_000, pollTimeoutMs: 60_000, presence: { ttlMs: 60_000 } });
  });
  after(() => server?.close());

  it('ends an SSE stream with a token-expired frame, and never delivers an event published after the expiry', async () => {
    const channel = uniqueChannel('private');
    const { token, until: end } = await shortToken('ada', [channel]);
    const stream = await openSse(server.sseUrl([channel], { token }));
    helloOf(await stream.next());
    const before = await server.comet.publish(channel, { n: 'before' });
    assert.equal(eventOf(await stream.next()).id, before.id);
    await pastInstant(end);
    const late = await server.comet.publish(channel, { n: 'after the token ended' });
    const rest: SseFrame[] = [];
    for (;;) {
      try {
        rest.push(await stream.next(10_000));
      } catch (error) {
        if (error instanceof StreamEndedError) break;
        throw error;
      }
    }
    assert.ok(!rest.some((frame) => frame.data.includes(late.id)), `the late event was delivered: ${JSON.stringify(rest)}`);
    assert.equal(rest.at(-1)?.event, 'token-expired', JSON.stringify(rest));
    assert.deepEqual(JSON.parse(rest.at(-1)!.data), { status: 401, code: 'token-expired', message: 'The token has expired; fetch a new one.' });
    // As a new request with that token is refused.
    const again = await http(server.sseUrl([channel], { token }));
    assert.equal(again.status, 401);
    assert.equal(again.json<{ error: { code: string } }>().error.code, 'token-expired');
  });

  it('ends an iframe document with a token-expired error frame, and posts nothing published after the expiry', async () => {
    const channel = uniqueChannel('private');
    const { token, until: end } = await shortToken('ada', [channel]);
    const doc = await openIframe(`${server.base}/iframe?${new URLSearchParams({ ch: channel, token, origin: PAGE })}`);
    await until(() => doc.frames.some((frame) => frame.kind === 'hello'), 10_000, 'the hello');
    await pastInstant(end);
    const late = await server.comet.publish(channel, { n: 'after the token ended' });
    await doc.ended;
    const kinds = doc.frames.map((frame) => frame.kind);
    assert.deepEqual(kinds.filter((kind) => kind !== 'heartbeat'), ['hello', 'error'], kinds.join());
    assert.deepEqual(doc.frames.at(-1)!.frame, { status: 401, code: 'token-expired', message: 'The token has expired; fetch a new one.' });
    assert.ok(!doc.text().includes(late.id), 'the late event was posted');
    assert.match(doc.text(), /<\/html>$/);
  });

  it('answers a poll held past the token\'s end 401 token-expired, before its poll timeout', async () => {
    const channel = uniqueChannel('private');
    const { token, until: end } = await shortToken('ada', [channel]);
    const first = await http(`${server.base}/poll?ch=${channel}&wait=0`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(first.status, 200);
    const held = http(`${server.base}/poll?ch=${channel}&cursor=${encodeURIComponent(first.json<{ cursor: string }>().cursor)}`, { headers: { Authorization: `Bearer ${token}` } });
    await pastInstant(end);
    await server.comet.publish(channel, { n: 'after the token ended' });
    const answer = await held;
    assert.equal(answer.status, 401, answer.text);
    assert.equal(answer.json<{ error: { code: string } }>().error.code, 'token-expired');
  });

  it('holds a presence session no longer than its token: the heartbeat says so, and the sweep after the expiry publishes the leave', async () => {
    const room = uniqueChannel('room');
    const { token, until: end } = await shortToken('grace', [room]);
    const beat = await http(`${server.base}/presence?ch=${room}&session=session-grace-1`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(beat.status, 200, beat.text);
    const { ttl } = beat.json<HeartbeatJson>();
    assert.ok(ttl > 0 && ttl <= LIFETIME_S * 1000, `ttl ${ttl} outlives the token`);
    const watcher = await signToken({ sub: 'watcher', channels: [`presence:${room}`] }, SECRET);
    const roster = async () =>
      (await http(`${server.base}/presence?ch=${room}`, { headers: { Authorization: `Bearer ${watcher}` } })).json<{ rosters: Array<{ members: Array<{ user: string }> }> }>().rosters[0]!.members.map((m) => m.user);
    assert.deepEqual(await roster(), ['grace']);
    await pastInstant(end);
    await server.comet.presence.sweep();
    assert.deepEqual(await roster(), []);
    const events = await server.comet.broker.recent(`presence:${room}`, 10);
    assert.deepEqual(events.map((event) => [event.type, (event.data as { reason?: string }).reason]), [['presence.join', undefined], ['presence.leave', 'timeout']]);
  });

  it('keeps no expiry timer for streams a limit refused, so a flood of them holds nothing until their tokens end', async () => {
    const limited = await startServer({ tokenSecret: SECRET, maxStreamsPerUser: 1, heartbeatMs: 60_000 });
    try {
      const channel = uniqueChannel('private');
      // An hour of life: a timer left behind by each refusal would hold its request that long.
      const token = await signToken({ sub: 'flood', channels: [channel], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET);
      const held = await openSse(limited.sseUrl([channel], { token }));
      helloOf(await held.next());
      const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
      const before = timers();
      for (let i = 0; i < 50; i += 1) assert.equal((await http(limited.sseUrl([channel], { token }))).status, 429);
      assert.ok(timers() - before < 10, `${timers() - before} timers more after 50 refused streams`);
      held.close();
    } finally {
      await limited.close();
    }
  });

  it('keeps a stream whose token has no exp open', async () => {
    const channel = uniqueChannel('private');
    const stream = await openSse(server.sseUrl([channel], { token: await signToken({ sub: 'ada', channels: [channel] }, SECRET) }));
    try {
      helloOf(await stream.next());
      const event = await server.comet.publish(channel, { n: 1 });
      assert.equal(eventOf(await stream.next()).id, event.id);
      assert.equal(stream.ended, false);
    } finally {
      stream.close();
    }
  });
});
