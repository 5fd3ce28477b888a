import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { helloOf } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

const SECRET = 'token-secret-for-tests';
const KEY = 'publish-key-for-tests';

/** Checks status, JSON error body and that the message says something useful. */
function assertError(res: HttpResult, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.headers['cache-control'], 'no-store');
  const body = res.json<ErrorBody>();
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 10, 'the message says what to change');
  return body.error;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('refused stream requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ tokenSecret: SECRET, publicChannels: ['pub.*'], maxChannelsPerStream: 3, publishKey: KEY });
  });
  after(() => server.close());

  const get = (url: string, headers: Record<string, string> = {}) => http(url, { headers });

  describe('400', () => {
    it('without any channel', async () => {
      assertError(await get(`${server.base}/sse`), 400, 'no-channels');
      assertError(await get(`${server.base}/sse?cursor=`), 400, 'no-channels');
    });

    it('for an invalid channel name', async () => {
      for (const name of ['', 'pub.a b', 'pub.*', 'pub.a,b', 'pub.é', 'p'.repeat(129)]) {
        const error = assertError(await get(server.sseUrl(['pub.ok', name])), 400, 'bad-channel');
        assert.ok(!error.message.includes('p'.repeat(100)), 'a long name is shortened in the message');
      }
    });

    it('for a malformed cursor, in the query or in Last-Event-ID', async () => {
      const channel = 'pub.' + uniqueChannel();
      for (const cursor of ['nope', `${channel}=`, `${channel}=e-1,`, `${channel}=E-1`]) {
        assertError(await get(server.sseUrl([channel], { cursor })), 400, 'bad-cursor');
      }
      assertError(await get(server.sseUrl([channel]), { 'Last-Event-ID': 'garbage' }), 400, 'bad-cursor');
      // The message names the entry and, from the position gate, the part that is wrong.
      const epoch = assertError(await get(server.sseUrl([channel], { cursor: `${channel}=E-1` })), 400, 'bad-cursor');
      assert.match(epoch.message, /"E-1" has no valid epoch: use 1-16 of a-z 0-9/);
      const seq = assertError(await get(server.sseUrl([channel]), { 'Last-Event-ID': `${channel}=e-1.5` }), 400, 'bad-cursor');
      assert.match(seq.message, /"e-1\.5" has no valid seq/);
      // (The 16 KiB cursor bound is covered by the protocol tests: over HTTP, Node's own
      // 16 KiB header limit answers 431 before the handler runs.)
    });

    it('for more channels than maxChannelsPerStream', async () => {
      const error = assertError(await get(server.sseUrl(['pub.1', 'pub.2', 'pub.3', 'pub.4'])), 400, 'too-many-channels');
      assert.match(error.message, /at most 3/);
      // Repeats collapse before counting.
      const stream = await openSse(server.sseUrl(['pub.1', 'pub.2', 'pub.3', 'pub.1']));
      try {
        assert.equal(stream.status, 200);
      } finally {
        stream.close();
      }
    });
  });

  describe('401 and 403 for private channels', () => {
    const priv = (): string => 'priv.' + uniqueChannel();

    it('401 token-missing without a token', async () => {
      const channel = priv();
      const error = assertError(await get(server.sseUrl(['pub.ok', channel])), 401, 'token-missing');
      assert.ok(error.message.includes(channel));
    });

    it('401 token-invalid for a token signed with another secret', async () => {
      const token = await signToken({ sub: 'u1', channels: ['*'] }, 'another-secret');
      assertError(await get(server.sseUrl([priv()], { token })), 401, 'token-invalid');
      assertError(await get(server.sseUrl([priv()]), { Authorization: `Bearer ${token}` }), 401, 'token-invalid');
    });

    it('401 token-invalid for a tampered payload or something that is not a JWT', async () => {
      const [header, , signature] = (await signToken({ sub: 'u1', channels: ['priv.x'] }, SECRET)).split('.');
      const payload = Buffer.from(JSON.stringify({ sub: 'u1', channels: ['*'] })).toString('base64url');
      assertError(await get(server.sseUrl([priv()], { token: `${header}.${payload}.${signature}` })), 401, 'token-invalid');
      assertError(await get(server.sseUrl([priv()], { token: 'not-a-jwt' })), 401, 'token-invalid');
    });

    it('401 token-invalid for a correctly signed token that claims another algorithm', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'u1', channels: ['*'] })).toString('base64url');
      const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
      const error = assertError(await get(server.sseUrl([priv()], { token: `${header}.${payload}.${signature}` })), 401, 'token-invalid');
      assert.match(error.message, /HS256/);
    });

    it('401 token-expired for an expired token', async () => {
      const token = await signToken({ sub: 'u1', channels: ['*'], exp: nowSeconds() - 5 }, SECRET);
      assertError(await get(server.sseUrl([priv()], { token })), 401, 'token-expired');
    });

    it('403 channel-forbidden for a valid token without the channel', async () => {
      const channel = priv();
      const token = await signToken({ sub: 'alice', channels: ['priv.other.*'], exp: nowSeconds() + 60 }, SECRET);
      const error = assertError(await get(server.sseUrl(['pub.ok', channel], { token })), 403, 'channel-forbidden');
      assert.ok(error.message.includes('alice') && error.message.includes(channel));
    });

    it('200 for a valid token with the channel, in the query or the Authorization header', async () => {
      const channel = priv();
      const token = await signToken({ sub: 'bob', channels: ['priv.*'], exp: nowSeconds() + 60 }, SECRET);
      for (const stream of [
        await openSse(server.sseUrl([channel, 'pub.ok'], { token })),
        await openSse(server.sseUrl([channel]), { headers: { Authorization: `Bearer ${token}` } }),
      ]) {
        try {
          assert.equal(stream.status, 200);
          helloOf(await stream.next());
        } finally {
          stream.close();
        }
      }
    });

    it('a bad token is refused even for public channels, rather than silently ignored', async () => {
      assertError(await get(server.sseUrl(['pub.ok'], { token: 'not-a-jwt' })), 401, 'token-invalid');
    });
  });

  describe('405, 404', () => {
    it('405 with Allow for a method the endpoint does not take', async () => {
      let res = await http(`${server.base}/publish`);
      assertError(res, 405, 'method-not-allowed');
      assert.equal(res.headers.allow, 'POST');
      res = await http(server.sseUrl(['pub.ok']), { method: 'POST', body: {} });
      assertError(res, 405, 'method-not-allowed');
      assert.equal(res.headers.allow, 'GET');
      res = await http(`${server.base}/health`, { method: 'DELETE' });
      assertError(res, 405, 'method-not-allowed');
    });

    it('404 for an unknown path when nothing else handles it', async () => {
      assertError(await http(`${server.base}/nope`), 404, 'not-found');
      assertError(await http(`${server.origin}/elsewhere`), 404, 'not-found');
      // The base path is a prefix of whole segments only.
      assertError(await http(`${server.origin}/cometx/sse?ch=pub.a`), 404, 'not-found');
    });
  });
});

describe('refused publish requests', () => {
  let server: TestServer;
  let open: TestServer;
  before(async () => {
    server = await startServer({ publishKey: KEY, maxPayloadBytes: 1024 });
    open = await startServer({});
  });
  after(async () => {
    await server.close();
    await open.close();
  });

  const publish = (options: { key?: string; body?: unknown; headers?: Record<string, string>; chunked?: boolean } = {}) =>
    http(`${server.base}/publish`, {
      method: 'POST',
      headers: { ...(options.key !== undefined ? { Authorization: `Bearer ${options.key}` } : {}), ...options.headers },
      body: options.body ?? { channel: 'news', data: 1 },
      ...(options.chunked ? { chunked: true } : {}),
    });

  it('401 publish-key-missing without the key', async () => {
    assertError(await publish(), 401, 'publish-key-missing');
    assertError(await publish({ headers: { Authorization: 'Basic abc' } }), 401, 'publish-key-missing');
  });

  it('401 publish-key-invalid with a wrong key, of any length', async () => {
    assertError(await publish({ key: 'wrong' }), 401, 'publish-key-invalid');
    assertError(await publish({ key: KEY + 'x' }), 401, 'publish-key-invalid');
    assertError(await publish({ key: KEY.replace(/.$/, 'X') }), 401, 'publish-key-invalid');
  });

  it('checks the key before reading the body', async () => {
    assertError(await publish({ key: 'wrong', body: 'x'.repeat(5000), headers: { 'Content-Type': 'text/plain' } }), 401, 'publish-key-invalid');
  });

  it('403 publish-disabled on a server without a publish key', async () => {
    const res = await http(`${open.base}/publish`, { method: 'POST', headers: { Authorization: 'Bearer anything' }, body: { channel: 'a', data: 1 } });
    assertError(res, 403, 'publish-disabled');
  });

  it('415 for a body that is not declared as JSON', async () => {
    assertError(await publish({ key: KEY, body: '{"channel":"news","data":1}', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported-media-type');
    assertError(await publish({ key: KEY, body: '{"channel":"news","data":1}', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
  });

  it('413 for a body over maxPayloadBytes, declared or streamed', async () => {
    const big = { channel: 'news', data: 'x'.repeat(2000) };
    assertError(await publish({ key: KEY, body: big }), 413, 'payload-too-large');
    assertError(await publish({ key: KEY, body: big, chunked: true }), 413, 'payload-too-large');
    // Just under the limit is fine.
    const fits = { channel: 'news', data: 'x'.repeat(1024 - 40) };
    assert.ok(JSON.stringify(fits).length <= 1024);
    assert.equal((await publish({ key: KEY, body: fits })).status, 200);
  });

  it('400 for bad JSON or a bad event', async () => {
    assertError(await publish({ key: KEY, body: '{"channel":', headers: { 'Content-Type': 'application/json' } }), 400, 'bad-json');
    assertError(await publish({ key: KEY, body: { channel: 'a b', data: 1 } }), 400, 'bad-channel');
    assertError(await publish({ key: KEY, body: { channel: 'news' } }), 400, 'bad-event');
    assertError(await publish({ key: KEY, body: { channel: 'news', type: 'has space', data: 1 } }), 400, 'bad-event');
    assertError(await publish({ key: KEY, body: { channel: 'news', type: 7, data: 1 } }), 400, 'bad-event');
    assertError(await publish({ key: KEY, body: 'null', headers: { 'Content-Type': 'application/json' } }), 400, 'bad-event');
    assertError(await publish({ key: KEY, body: [] }), 400, 'bad-event');
  });
});
