import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import type { ErrorBody, Gap } from '../../src/protocol/messages.js';
import type { RosterJson } from '../../src/protocol/presence-protocol.js';
import { epochOf, gapOf, helloOf } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse, type SseStream } from '../support/sse-client.js';

function refusal(res: HttpResult, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.status, status, res.text);
  const error = res.json<ErrorBody>().error;
  assert.equal(error.code, code);
  return error;
}

describe('memory broker bounds', () => {
  it('forgets a channel nobody reads once its last event is older than historyTtlMs', async () => {
    const broker = new MemoryBroker({ historyTtlMs: 60_000 });
    try {
      await broker.publish({ channel: 'idle', type: 'message', data: 1 });
      const stop = broker.subscribe('read', () => {});
      await broker.publish({ channel: 'read', type: 'message', data: 1 });
      await broker.publish({ channel: 'recent', type: 'message', data: 1 });
      assert.equal(broker.channelCount, 3);
      broker.sweep(Date.now() + 30_000);
      assert.equal(broker.channelCount, 3, 'nothing is older than the TTL yet');
      broker.sweep(Date.now() + 61_000);
      assert.equal(broker.channelCount, 1, 'only the channel with a reader is kept');
      assert.equal(broker.historyBytes, (await broker.recent('read', 10)).reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0));
      stop();
    } finally {
      await broker.close();
    }
  });

  it('gives a channel re-created after it was forgotten a fresh epoch, so an old reader gets epoch-changed', async () => {
    const server = await startServer({ historyTtlMs: 60_000 });
    try {
      const channel = uniqueChannel();
      const old = await server.comet.publish(channel, 'before');
      await server.comet.publish(channel, 'before');
      (server.comet.broker as MemoryBroker).sweep(Date.now() + 61_000);
      const fresh = await server.comet.publish(channel, 'after');
      assert.notEqual(epochOf(fresh.id), epochOf(old.id));
      const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${old.id}` }));
      try {
        helloOf(await stream.next());
        const gap = gapOf(await stream.next());
        assert.equal(gap.reason, 'epoch-changed');
        assert.equal(gap.from, old.id);
      } finally {
        stream.close();
      }
    } finally {
      await server.close();
    }
  });

  it('refuses a publish to a new channel past maxChannels with 503 channels-full and Retry-After; known channels go on', async () => {
    const server = await startServer({ maxChannels: 3, publishKey: 'k' });
    try {
      const names = [uniqueChannel(), uniqueChannel(), uniqueChannel()];
      for (const name of names) await server.comet.publish(name, 1);
      const res = await http(`${server.base}/publish`, { headers: { Authorization: 'Bearer k' }, body: { channel: uniqueChannel(), data: 1 } });
      refusal(res, 503, 'channels-full');
      assert.ok(Number(res.headers['retry-after']) > 0);
      await server.comet.publish(names[0]!, 2);
    } finally {
      await server.close();
    }
  });

  it('keeps history within maxHistoryBytes, dropping the oldest events of the least recently published channel first', async () => {
    const broker = new MemoryBroker({ maxHistoryBytes: 4000 });
    try {
      const data = 'x'.repeat(200);
      for (let i = 0; i < 10; i += 1) await broker.publish({ channel: 'old', type: 'message', data });
      for (let i = 0; i < 10; i += 1) await broker.publish({ channel: 'new', type: 'message', data });
      assert.ok(broker.historyBytes <= 4000, `${broker.historyBytes} bytes held`);
      assert.equal((await broker.recent('new', 100)).length, 10, 'the recently published channel keeps its history');
      assert.ok((await broker.recent('old', 100)).length < 10);
      const read = await broker.read('old', { epoch: epochOf((await broker.recent('new', 1))[0]!.id), seq: 0 });
      assert.equal(read.gap?.reason, 'history-exceeded');
    } finally {
      await broker.close();
    }
  });

  it('answers a cursor ahead of the channel head with a cursor-ahead gap to the head, never silence', async () => {
    const server = await startServer();
    try {
      const channel = uniqueChannel();
      const last = await server.comet.publish(channel, 1);
      const ahead = `${epochOf(last.id)}-999`;
      const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${ahead}` }));
      try {
        assert.equal(helloOf(await stream.next()).cursor, `${channel}=${last.id}`);
        assert.deepEqual(gapOf(await stream.next()), { channel, from: ahead, to: last.id, reason: 'cursor-ahead' });
      } finally {
        stream.close();
      }
      const poll = (await http(`${server.base}/poll?ch=${channel}&cursor=${channel}=${ahead}&wait=0`)).json<{ gaps: Gap[]; cursor: string }>();
      assert.equal(poll.gaps[0]?.reason, 'cursor-ahead');
      assert.equal(poll.cursor, `${channel}=${last.id}`);
    } finally {
      await server.close();
    }
  });
});

describe('stream limits', () => {
  const SECRET = 'limits-secret';
  let server: TestServer;
  const open: SseStream[] = [];
  before(async () => {
    server = await startServer({ maxConnections: 6, maxStreamsPerUser: 2, maxStreamsPerClient: 4, tokenSecret: SECRET, publicChannels: ['pub.*'], pollTimeoutMs: 30_000 });
  });
  after(async () => {
    for (const stream of open) stream.close();
    await server.close();
  });
  const hold = async (url: string): Promise<SseStream> => {
    const stream = await openSse(url);
    assert.equal(stream.status, 200);
    helloOf(await stream.next());
    open.push(stream);
    return stream;
  };

  it('refuses a user past maxStreamsPerUser with 429 too-many-streams and Retry-After, until one closes', async () => {
    const token = await signToken({ sub: 'ada', channels: ['priv.*'] }, SECRET);
    const url = server.sseUrl(['priv.a'], { token });
    const first = await hold(url);
    await hold(url);
    const res = await http(url);
    refusal(res, 429, 'too-many-streams');
    assert.ok(Number(res.headers['retry-after']) > 0);
    (await hold(server.sseUrl(['priv.a'], { token: await signToken({ sub: 'bob', channels: ['priv.*'] }, SECRET) }))).close();
    first.close();
    await until(() => server.comet.stats().byTransport.sse === 1, 2000, 'the streams to be untracked');
    (await hold(url)).close();
    for (const stream of open.splice(0)) stream.close();
    await until(() => server.comet.stats().streams === 0, 2000, 'all streams closed');
  });

  it('refuses one address past maxStreamsPerClient with 429, counting held polls too', async () => {
    for (let i = 0; i < 3; i += 1) await hold(server.sseUrl([`pub.${i}`]));
    const poll = new Promise<void>((resolve) => {
      const req = request(`${server.base}/poll?ch=pub.x`, { agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => resolve());
      req.end();
      open.push({ close: () => req.destroy() } as unknown as SseStream);
    });
    await until(() => server.comet.stats().streams === 4, 2000, 'the poll to be held');
    refusal(await http(server.sseUrl(['pub.y'])), 429, 'too-many-streams');
    refusal(await http(`${server.base}/poll?ch=pub.y`), 429, 'too-many-streams');
    for (const stream of open.splice(0)) stream.close();
    await poll;
    await until(() => server.comet.stats().streams === 0, 2000, 'all streams closed');
  });

  it('refuses any stream past maxConnections with 503 server-busy and Retry-After, posted as an error frame on the iframe', async () => {
    const other = await startServer({ maxConnections: 2 });
    try {
      const streams = [await openSse(other.sseUrl(['a'])), await openSse(other.sseUrl(['b']))];
      const res = await http(other.sseUrl(['c']));
      refusal(res, 503, 'server-busy');
      assert.ok(Number(res.headers['retry-after']) > 0);
      const frame = await http(`${other.base}/iframe?ch=c&origin=${encodeURIComponent(other.origin)}`);
      assert.equal(frame.status, 503);
      assert.match(frame.text, /p\("error",\{"status":503,"code":"server-busy"/);
      for (const stream of streams) stream.close();
    } finally {
      await other.close();
    }
  });
});

describe('presence limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ presence: { maxChannelsPerSession: 3, maxMembersPerChannel: 2, maxSessions: 5, anonymousPerMinute: 1000 } });
  });
  after(() => server.close());
  const beat = (channels: string[], session: string, user = session) =>
    http(`${server.base}/presence?${channels.map((c) => `ch=${c}`).join('&')}&session=${session}&user=${user}`, { method: 'POST' });

  it('refuses a session on more than maxChannelsPerSession channels with 429 too-many-presence-channels', async () => {
    const channels = [uniqueChannel(), uniqueChannel(), uniqueChannel()];
    assert.equal((await beat(channels, 'session-many-1')).status, 200);
    assert.equal((await beat(channels, 'session-many-1')).status, 200, 'beating the same channels again is fine');
    refusal(await beat([uniqueChannel()], 'session-many-1'), 429, 'too-many-presence-channels');
    await http(`${server.base}/presence/leave?ch=${channels[0]}&session=session-many-1&user=session-many-1`, { method: 'POST' });
    assert.equal((await beat([uniqueChannel()], 'session-many-1')).status, 200, 'after leaving one, another fits');
  });

  it('refuses a new user on a full roster with 503 presence-full; members already on it keep beating', async () => {
    const channel = uniqueChannel();
    assert.equal((await beat([channel], 'session-full-1')).status, 200);
    assert.equal((await beat([channel], 'session-full-2')).status, 200);
    refusal(await beat([channel], 'session-full-3'), 503, 'presence-full');
    assert.equal((await beat([channel], 'session-full-1')).status, 200);
  });

  it('refuses a new session past maxSessions with 503 presence-full', async () => {
    // Two sessions are left from the tests above (session-many-1 and the two on the full roster make three).
    const extra = server.comet.presence.sessionCount;
    for (let i = extra; i < 5; i += 1) assert.equal((await beat([uniqueChannel()], `session-cap-${i}`)).status, 200);
    refusal(await beat([uniqueChannel()], 'session-cap-over'), 503, 'presence-full');
  });

  it('limits anonymous heartbeats per address with 429 rate-limited and Retry-After', async () => {
    const limited = await startServer({ presence: { anonymousPerMinute: 5 } });
    try {
      const channel = uniqueChannel();
      const answers = [];
      for (let i = 0; i < 8; i += 1) answers.push((await http(`${limited.base}/presence?ch=${channel}&session=session-rate-1`, { method: 'POST' })).status);
      assert.deepEqual(answers, [200, 200, 200, 200, 200, 429, 429, 429]);
      const res = await http(`${limited.base}/presence?ch=${channel}&session=session-rate-1`, { method: 'POST' });
      refusal(res, 429, 'rate-limited');
      assert.ok(Number(res.headers['retry-after']) > 0);
    } finally {
      await limited.close();
    }
  });
});

describe('answer sizes', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxAnswerBytes: 4096, presence: { anonymousPerMinute: 10_000 } });
  });
  after(() => server.close());

  it('caps a history answer in bytes, keeping the newest events and saying truncated', async () => {
    const channel = uniqueChannel();
    for (let i = 0; i < 40; i += 1) await server.comet.publish(channel, { i, pad: 'x'.repeat(200) });
    const res = await http(`${server.base}/history?ch=${channel}&limit=40`);
    assert.ok(Buffer.byteLength(res.text) <= 4096, `${Buffer.byteLength(res.text)} bytes`);
    const body = res.json<{ events: Array<{ data: { i: number } }>; truncated?: boolean }>();
    assert.equal(body.truncated, true);
    assert.ok(body.events.length > 5);
    assert.equal(body.events.at(-1)!.data.i, 39, 'the newest is kept');
    assert.deepEqual(body.events.map((e) => e.data.i), [...body.events.keys()].map((k) => 40 - body.events.length + k), 'oldest first, no holes');
    const small = (await http(`${server.base}/history?ch=${channel}&limit=2`)).json<{ truncated?: boolean }>();
    assert.equal(small.truncated, undefined, 'an answer that fits says nothing');
  });

  it('caps a roster answer in bytes, keeping the earliest arrivals and saying truncated', async () => {
    const channel = uniqueChannel();
    for (let i = 0; i < 60; i += 1) {
      const res = await http(`${server.base}/presence?ch=${channel}&session=session-r-${i}&user=user-${i}&name=${'n'.repeat(60)}`, { method: 'POST' });
      assert.equal(res.status, 200);
    }
    const res = await http(`${server.base}/presence?ch=${channel}`);
    assert.ok(Buffer.byteLength(res.text) <= 4096, `${Buffer.byteLength(res.text)} bytes`);
    const roster = res.json<{ rosters: Array<RosterJson & { truncated?: boolean }> }>().rosters[0]!;
    assert.equal(roster.truncated, true);
    assert.equal(roster.members[0]!.user, 'user-0');
    assert.ok(roster.members.length > 10 && roster.members.length < 60);
  });
});

describe('request bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishKey: 'k', bodyTimeoutMs: 300 });
  });
  after(() => server.close());

  it('answers a body that does not arrive within bodyTimeoutMs with 408 body-timeout and closes the connection', async () => {
    const answer = await new Promise<{ status: number; text: string; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${server.base}/publish`, {
        method: 'POST',
        agent: false,
        headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json', 'Content-Length': 100 },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write('{"channel":'); // …and nothing more.
    });
    assert.equal(answer.status, 408);
    assert.equal((JSON.parse(answer.text) as ErrorBody).error.code, 'body-timeout');
    assert.equal(answer.connection, 'close');
  });

  it('logs nothing when a client aborts mid-body', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${server.base}/publish`, {
          method: 'POST',
          agent: false,
          headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json', 'Content-Length': 1000 },
        });
        req.on('error', () => resolve());
        req.write('{"channel":"a","data":"', () => setImmediate(() => req.destroy()));
      });
      // The server sees the reset after the client: wait until it has closed every socket, then one more turn.
      let sockets = -1;
      await until(() => {
        server.http.getConnections((_error, count) => (sockets = count));
        return sockets === 0;
      }, 2000, 'the server to close the aborted socket');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      console.error = original;
    }
    assert.deepEqual(logged, []);
  });
});
