import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signToken, type TokenClaims } from '../../server/auth/token.js';
import { HttpStatusError } from '../../server/http/http-error.js';
import { MemoryIdempotencyStore } from '../../server/send/idempotency-store.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { storageBackends } from '../support/scale/storage-backends.js';
import { openSse } from '../support/sse-client.js';

const SECRET = 'secret-for-send-tests';
const token = (claims: TokenClaims): Promise<string> => signToken(claims, SECRET);

interface Stored {
  id: string;
  channel: string;
  type: string;
  data: unknown;
  time: number;
}

function assertError(res: HttpResult, status: number, code: string, mentions?: string): void {
  assert.equal(res.status, status, res.text);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, code);
  if (mentions) assert.ok(body.error.message.includes(mentions), body.error.message);
}

for (const backend of storageBackends) describe(`POST /send (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  let calls = 0;
  before(async () => {
    storage = await backend.start();
    server = await startServer({
      ...storage.options,
      tokenSecret: SECRET,
      publicChannels: ['test.*'],
      maxPayloadBytes: 2048,
      send: {
        publicChannels: ['test.open.*'],
        rate: { perSecond: 5, burst: 5 },
        onSend: ({ channel, data, user }) => {
          calls += 1;
          if ((data as { refuse?: boolean } | null)?.refuse) throw new HttpStatusError(422, 'send-refused', 'Messages may not ask to be refused.');
          if ((data as { explode?: boolean } | null)?.explode) throw new Error('a bug in the hook');
          if ((data as { huge?: boolean } | null)?.huge) return 'x'.repeat(4096);
          if ((data as { bigint?: boolean } | null)?.bigint) return { n: 1n };
          if (channel.startsWith('test.stamp.')) return { ...(data as object), by: user?.sub };
          return undefined;
        },
      },
    });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
  });

  /** One user per test, so rate limits of one test never reach another. */
  let users = 0;
  const sender = (publish: readonly string[] = ['test.*']): Promise<string> => token({ sub: `u${(users += 1)}`, channels: ['test.*'], publish });
  const send = async (pending: Promise<string> | string | undefined, body: unknown, key?: string) => {
    const bearer = await pending;
    return http(`${server.base}/send`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
        ...(key ? { 'Idempotency-Key': key } : {}),
      },
      body,
    });
  };

  it('stores the event, answers it with its position, and delivers it to readers', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      const res = await send(sender(), { channel, type: 'chat.message', data: { text: 'hi' } });
      assert.equal(res.status, 200, res.text);
      const stored = res.json<Stored>();
      assert.equal(stored.channel, channel);
      assert.equal(stored.type, 'chat.message');
      assert.deepEqual(stored.data, { text: 'hi' });
      assert.deepEqual(eventOf(await stream.next()), stored);
    } finally {
      stream.close();
    }
  });

  it('stores a retried send with the same key once, and answers the first event again', async () => {
    const channel = uniqueChannel();
    const bearer = sender();
    const first = await send(bearer, { channel, data: 1 }, 'key-retry-0001');
    const again = await send(bearer, { channel, data: 1 }, 'key-retry-0001');
    assert.equal(again.status, 200);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers['idempotent-replayed'], 'true');
    const history = await server.comet.broker.recent(channel, 10);
    assert.equal(history.length, 1);
  });

  it('stores concurrent retries with one key once', async () => {
    const channel = uniqueChannel();
    const bearer = sender();
    const answers = await Promise.all([0, 1, 2].map(() => send(bearer, { channel, data: 'x' }, 'key-race-0001')));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(new Set(answers.map((a) => a.json<Stored>().id)).size, 1);
    assert.equal((await server.comet.broker.recent(channel, 10)).length, 1);
  });

  it('keeps keys per user: the same key from two users stores two events', async () => {
    const channel = uniqueChannel();
    await send(sender(), { channel, data: 1 }, 'key-shared-001');
    await send(sender(), { channel, data: 1 }, 'key-shared-001');
    assert.equal((await server.comet.broker.recent(channel, 10)).length, 2);
  });

  it('refuses a key reused for another send', async () => {
    const bearer = sender();
    await send(bearer, { channel: uniqueChannel(), data: 1 }, 'key-reused-001');
    assertError(await send(bearer, { channel: uniqueChannel(), data: 2 }, 'key-reused-001'), 422, 'idempotency-key-reused');
  });

  it('lets a refused send be retried under its key', async () => {
    const channel = uniqueChannel();
    const bearer = sender();
    assertError(await send(bearer, { channel, data: { refuse: true } }, 'key-refused-01'), 422, 'send-refused');
    assertError(await send(bearer, { channel, data: { refuse: true } }, 'key-refused-01'), 422, 'send-refused');
    assert.equal((await server.comet.broker.recent(channel, 10)).length, 0);
  });

  it('refuses a malformed key', async () => {
    assertError(await send(sender(), { channel: uniqueChannel(), data: 1 }, 'short'), 400, 'bad-idempotency-key');
  });

  it('stores what onSend returns', async () => {
    const res = await send(sender(['test.stamp.*']), { channel: uniqueChannel('test.stamp'), data: { text: 'hi' } });
    const stored = res.json<Stored>();
    assert.match(String((stored.data as { by: string }).by), /^u\d+$/);
  });

  it('answers 403 naming the channel outside the publish claim, even when the token may read it', async () => {
    const channel = uniqueChannel('test.readonly');
    assertError(await send(sender(['test.other.*']), { channel, data: 1 }), 403, 'channel-forbidden', `"${channel}"`);
  });

  it('answers 401 without a token, except on public send channels', async () => {
    assertError(await send(undefined, { channel: uniqueChannel(), data: 1 }), 401, 'token-missing');
    const res = await send(undefined, { channel: uniqueChannel('test.open'), data: 1 });
    assert.equal(res.status, 200, res.text);
  });

  it('refuses presence and inbox channels whatever the claim says', async () => {
    assertError(await send(sender(['*']), { channel: 'presence:test.x', data: 1 }), 403, 'channel-reserved');
    assertError(await send(sender(['*']), { channel: 'inbox:someone', data: 1 }), 403, 'channel-reserved');
  });

  it('answers 413 for a body, or a transformed data, over maxPayloadBytes', async () => {
    assertError(await send(sender(), { channel: uniqueChannel(), data: 'y'.repeat(4096) }), 413, 'payload-too-large');
    assertError(await send(sender(), { channel: uniqueChannel(), data: { huge: true } }), 413, 'payload-too-large');
  });

  it('answers 400 for bad input, and bad-data when the hook returns what JSON cannot hold', async () => {
    assertError(await send(sender(), { channel: 'no spaces', data: 1 }), 400, 'bad-channel');
    assertError(await send(sender(), { channel: uniqueChannel() }), 400, 'bad-event');
    assertError(await send(sender(), '{"channel":'), 400, 'bad-json');
    assertError(await send(sender(), { channel: uniqueChannel(), data: { bigint: true } }), 400, 'bad-data');
  });

  it('answers 500 without details when the hook has a bug', async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      const res = await send(sender(), { channel: uniqueChannel(), data: { explode: true } });
      assertError(res, 500, 'internal');
      assert.ok(!res.text.includes('a bug in the hook'));
    } finally {
      console.error = original;
    }
  });

  it('limits the rate per user with 429 and Retry-After; other users are not affected', async () => {
    const bearer = sender();
    const statuses: number[] = [];
    let limited: HttpResult | undefined;
    // Burst of 5: the sixth within the same second is refused (bounded loop, loopback only).
    for (let i = 0; i < 8 && !limited; i += 1) {
      const res = await send(bearer, { channel: uniqueChannel(), data: i });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, `statuses ${statuses.join(',')}`);
    assertError(limited, 429, 'rate-limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await send(sender(), { channel: uniqueChannel(), data: 1 })).status, 200);
  });

  it('refuses a token whose publish claim is not a list of strings', async () => {
    assertError(await send(token({ sub: 'x', publish: 'test.*' as unknown as string[] }), { channel: uniqueChannel(), data: 1 }), 401, 'token-invalid');
  });

  it('answers preflights allowing the Idempotency-Key header', async () => {
    const res = await http(`${server.base}/send`, { method: 'OPTIONS', headers: { Origin: server.origin, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(res.status, 204);
    assert.match(String(res.headers['access-control-allow-headers']), /Idempotency-Key/);
    assert.ok(calls > 0);
  });
});

describe('MemoryIdempotencyStore bounds', () => {
  const event = (data: unknown) => ({ id: 'e-1', channel: 'c', type: 'message', data, time: 1 });

  it('drops the oldest keys past maxKeys, and past maxBytes of stored answers', async () => {
    const store = new MemoryIdempotencyStore({ maxKeys: 3, maxBytes: 1000 });
    for (const key of ['k1', 'k2', 'k3', 'k4']) await store.claim(key, { fingerprint: key, event: Promise.resolve(event(key)) }, 0);
    assert.equal(store.size, 3);
    const fresh = { fingerprint: 'k1', event: Promise.resolve(event('again')) };
    assert.equal(await store.claim('k1', fresh, 0), fresh, 'k1 was dropped, so it is free again');
    await store.claim('big', { fingerprint: 'big', event: Promise.resolve(event('x'.repeat(900))) }, 0);
    // Let the answers settle: their sizes count once stored.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(store.bytes <= 1000, `${store.bytes} bytes held`);
  });

  it('forgets keys after ttlMs', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    const first = { fingerprint: 'a', event: Promise.resolve(event(1)) };
    await store.claim('a', first, 0);
    const second = { fingerprint: 'a', event: Promise.resolve(event(2)) };
    assert.equal(await store.claim('a', second, 500), first);
    assert.equal(await store.claim('a', second, 1500), second);
  });
});
