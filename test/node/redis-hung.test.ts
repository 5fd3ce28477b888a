/**
 * A Redis that stops answering while its sockets stay open (SIGSTOP: a hung
 * host, a stalled disk) must not hold requests: each waits at most the
 * command timeout, and past the bound on pending commands it is refused at
 * once, so a flood holds no more memory than the bound. After SIGCONT the
 * same requests work again and an open stream carries on where it was.
 *
 * The bounds below are failure limits, far above what is expected (about
 * one command timeout); the measured figures are printed for SECURITY.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { signToken } from '../../server/auth/token.js';
import { redisBroker, type RedisBroker } from '../../server/broker/redis-broker.js';
import { redisPresenceStore } from '../../server/presence/redis-presence-store.js';
import { eventOf, helloOf, takeEvents } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { openSse } from '../support/sse-client.js';

const SECRET = 'secret-for-hung-redis';
const COMMAND_TIMEOUT_MS = 1000;
const MAX_PENDING = 100;
/** A request not answered by then is held: more than ten command timeouts. */
const HELD_MS = 12_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGcMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** The answer, or 'held' when none came within HELD_MS. */
async function answered(pending: Promise<HttpResult>): Promise<HttpResult | 'held'> {
  const bound = new AbortController();
  const result = await Promise.race([pending, sleep(HELD_MS, 'held' as const, { signal: bound.signal }).catch(() => 'held' as const)]);
  bound.abort();
  return result;
}

function assertBrokerUnavailable(what: string, result: HttpResult | 'held'): void {
  assert.notEqual(result, 'held', `${what}: no answer within ${HELD_MS} ms while Redis was stopped`);
  const res = result as HttpResult;
  assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
  assert.equal(res.json<{ error: { code: string } }>().error.code, 'broker-unavailable', what);
}

describe('a Redis that is stopped (SIGSTOP) while the server runs', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  let broker: RedisBroker;
  let server: TestServer;
  let token: string;

  before(async () => {
    redis = await startRedis({ fsync: 'everysec' });
    const bounds = { url: redis.url, commandTimeoutMs: COMMAND_TIMEOUT_MS, maxPendingCommands: MAX_PENDING };
    broker = redisBroker(bounds);
    const presenceStore = redisPresenceStore(bounds);
    await Promise.all([broker.ready(), presenceStore.ready()]);
    server = await startServer({
      broker,
      presence: { store: presenceStore },
      tokenSecret: SECRET,
      publishKey: 'k',
      publicChannels: ['test.*'],
      // The flood is about Redis, not about the per-user limits in front of it.
      send: { rate: { perSecond: 1_000_000, burst: 1_000_000 } },
      maxStreamsPerUser: 10_000,
    });
    token = await signToken({ sub: 'hung-redis-user', channels: ['test.*'], publish: ['test.*'] }, SECRET);
  });
  after(async () => {
    redis?.resume();
    await server?.close();
    await redis?.close();
  });

  const publish = (channel: string, data: unknown) =>
    http(`${server.base}/publish`, { method: 'POST', headers: { Authorization: 'Bearer k' }, body: { channel, type: 'message', data } });
  const requests = (channel: string): Record<string, () => Promise<HttpResult>> => ({
    publish: () => publish(channel, 'during'),
    'stream open': () => http(server.sseUrl([uniqueChannel()], { token })),
    'long-poll': () => http(`${server.base}/poll?ch=${uniqueChannel()}&token=${token}`),
    presence: () => http(`${server.base}/presence?ch=${channel}&session=session-hung0001&token=${token}`, { method: 'POST' }),
    inbox: () => http(`${server.base}/inbox`, { headers: { Authorization: `Bearer ${token}` } }),
    send: () => http(`${server.base}/send`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: { channel, type: 'chat', data: 'during' } }),
  });

  it('answers every kind of request 503 broker-unavailable, holds flat memory through a flood, and recovers on SIGCONT with nothing lost', { timeout: 120_000 }, async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel], { token }));
    try {
      helloOf(await stream.next());
      const before = await publish(channel, 'before');
      assert.equal(before.status, 200, before.text);
      assert.equal(eventOf(await stream.next()).data, 'before');

      redis.pause();
      // Publishes go to another channel: one already written to Redis is stored when it
      // wakes up, and its outcome is unknown to the client that got the 503.
      const other = uniqueChannel();
      const figures: string[] = [];
      for (const [what, request] of Object.entries(requests(other))) {
        const started = performance.now();
        assertBrokerUnavailable(what, await answered(request()));
        figures.push(`${what} ${Math.round(performance.now() - started)} ms`);
      }
      console.log(`hung redis: first answers: ${figures.join(', ')}`);

      // A flood in waves: every answer arrives, and once the pending bound is reached the
      // heap stops growing with the number of requests.
      const kinds = Object.values(requests(other));
      let slowest = 0;
      const wave = async (count: number): Promise<void> => {
        await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const started = performance.now();
            assertBrokerUnavailable(`flood request ${i}`, await answered(kinds[i % kinds.length]!()));
            slowest = Math.max(slowest, performance.now() - started);
          }),
        );
      };
      // The first waves fill the pending bound and warm the code up; the heap is compared after them.
      for (let i = 0; i < 8; i += 1) await wave(100);
      const filledMB = heapAfterGcMB();
      for (let i = 0; i < 8; i += 1) await wave(100);
      const halfMB = heapAfterGcMB();
      for (let i = 0; i < 8; i += 1) await wave(100);
      const floodedMB = heapAfterGcMB();
      console.log(`hung redis: heap after GC ${filledMB.toFixed(1)} MB after 800 requests, ${halfMB.toFixed(1)} MB after 1600, ${floodedMB.toFixed(1)} MB after 2400; slowest answer ${Math.round(slowest)} ms`);
      assert.ok(floodedMB - filledMB < 4, `heap grew ${(floodedMB - filledMB).toFixed(1)} MB over 1600 more requests while Redis was stopped`);

      redis.resume();
      // Redis works through what was written to it, then answers as before.
      let after: HttpResult | undefined;
      for (let attempt = 0; attempt < 100 && after?.status !== 200; attempt += 1) {
        after = await publish(channel, 'after');
        if (after.status !== 200) await sleep(100);
      }
      assert.equal(after?.status, 200, after?.text);
      assert.deepEqual((await takeEvents(stream, 1, 10_000)).map((e) => e.data), ['after'], 'the open stream carries on with nothing lost in between');
      for (const [what, request] of Object.entries(requests(uniqueChannel()))) {
        if (what === 'stream open' || what === 'long-poll') continue;
        const res = await request();
        assert.ok(res.status === 200 || res.status === 204, `${what} after SIGCONT: ${res.status} ${res.text}`);
      }
      const reopened = await openSse(server.sseUrl([uniqueChannel()], { token }));
      try {
        assert.equal(reopened.response.statusCode, 200, 'a stream opens after SIGCONT');
        helloOf(await reopened.next());
      } finally {
        reopened.close();
      }
      await until(() => server.comet.stats().streams === 1, 5000, 'the refused streams to hold nothing');
    } finally {
      stream.close();
    }
  });
});
