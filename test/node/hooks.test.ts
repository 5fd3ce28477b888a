import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { verifyWebhookSignature } from '../../server/inbox/action-webhook.js';
import { resolveOptions } from '../../server/options.js';
import { helloOf } from '../support/frames.js';
import { http, type HttpResult } from '../support/http-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';
import { startProcess } from '../support/scale/child-process.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOOK_SECRET = 'hook-secret-for-tests-0123';
const TOKEN_SECRET = 'token-secret-for-hook-tests';

interface Question {
  readonly hook: string;
  readonly body: Record<string, unknown>;
  readonly signed: boolean;
}

type Policy = (question: Record<string, unknown>, res: ServerResponse) => void;

/** The application's backend: a plain HTTP server on loopback answering JSON, as one in any language would. */
class HookBackend {
  readonly questions: Question[] = [];
  policy: Policy = (_q, res) => answer(res, { allow: true });
  readonly #server: Server;
  origin = '';

  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text) as Record<string, unknown>;
      this.questions.push({ hook: String(req.headers['comet-hook']), body, signed: verifyWebhookSignature(HOOK_SECRET, req.headers['comet-signature'], text) });
      this.policy(body, res);
    });
  }
}

function answer(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function assertError(res: HttpResult, status: number, code: string): string {
  assert.equal(res.status, status, res.text);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, code);
  return body.error.message;
}

/** Channels of a hello's cursor (`channel@position,…` or similar): every name it lists. */
async function helloChannels(url: string, headers: Record<string, string> = {}): Promise<string> {
  const stream = await openSse(url, { headers });
  try {
    assert.equal(stream.response.statusCode, 200);
    return helloOf(await stream.next()).cursor;
  } finally {
    stream.close();
  }
}

describe('connect and subscribe hooks', () => {
  let backend: HookBackend;
  let server: TestServer;

  before(async () => {
    backend = await new HookBackend().start();
    server = await startServer({
      tokenSecret: TOKEN_SECRET,
      hooks: {
        secret: HOOK_SECRET,
        connect: { url: `${backend.origin}/connect`, timeoutMs: 3000, cacheMs: 60_000 },
        subscribe: { url: `${backend.origin}/subscribe`, timeoutMs: 3000, cacheMs: 0 },
      },
    });
  });
  after(async () => {
    await server?.close();
    await backend?.close();
  });
  beforeEach(() => {
    backend.questions.length = 0;
    backend.policy = (_q, res) => answer(res, { allow: true });
  });

  it('lets the connect hook name the user from a cookie, and the subscribe hook allow the channels', async () => {
    const channel = uniqueChannel('room');
    backend.policy = (q, res) => {
      if (q['hook'] === 'connect') return answer(res, q['cookie'] === 'session=ada-1' ? { allow: true, user: 'ada', name: 'Ada' } : { allow: false });
      answer(res, { allow: q['user'] === 'ada' });
    };
    const cursor = await helloChannels(server.sseUrl([channel]), { Cookie: 'session=ada-1' });
    assert.ok(cursor.includes(channel), cursor);
    const connect = backend.questions.find((q) => q.hook === 'connect');
    const subscribe = backend.questions.find((q) => q.hook === 'subscribe');
    assert.ok(connect && subscribe, JSON.stringify(backend.questions));
    assert.equal(connect.signed, true);
    assert.equal(subscribe.signed, true);
    assert.equal(connect.body['cookie'], 'session=ada-1');
    assert.equal(connect.body['client'], '127.0.0.1');
    assert.equal(connect.body['endpoint'], 'sse');
    assert.equal(connect.body['claims'], null);
    assert.deepEqual(subscribe.body['channels'], [channel]);
    assert.equal(subscribe.body['user'], 'ada');
  });

  it('refuses with 403 hook-refused and the reason as plain text', async () => {
    backend.policy = (q, res) => answer(res, q['hook'] === 'connect' ? { allow: false, reason: 'account \u202esuspended\u0007' } : { allow: true });
    const res = await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=banned' } });
    const message = assertError(res, 403, 'hook-refused');
    assert.equal(message, 'The application refused this request: account suspended');
  });

  it('narrows the channels to those the subscribe hook names, and never widens them', async () => {
    const [open, closed] = [uniqueChannel('open'), uniqueChannel('closed')];
    backend.policy = (q, res) => answer(res, q['hook'] === 'connect' ? { allow: true } : { allow: true, channels: [open, 'not-asked'] });
    const cursor = await helloChannels(server.sseUrl([open, closed]), { Cookie: 'session=narrow' });
    assert.ok(cursor.includes(open), cursor);
    assert.ok(!cursor.includes(closed), cursor);
    assert.ok(!cursor.includes('not-asked'), cursor);
    // History answers for the narrowed channels only; a roster, which answers for each channel asked, refuses.
    const history = await http(`${server.base}/history?ch=${open}&ch=${closed}`, { headers: { Cookie: 'session=narrow' } });
    assert.equal(history.status, 200, history.text);
    backend.policy = (q, res) => answer(res, q['hook'] === 'connect' ? { allow: true } : { allow: true, channels: [] });
    assertError(await http(`${server.base}/history?ch=${closed}`, { headers: { Cookie: 'session=narrow' } }), 403, 'hook-refused');
  });

  it('sends a verified token as claims and lets the hook keep that user', async () => {
    const token = await signToken({ sub: 'grace', channels: [] }, TOKEN_SECRET);
    const channel = uniqueChannel();
    const cursor = await helloChannels(server.sseUrl([channel], { token }));
    assert.ok(cursor.includes(channel));
    const connect = backend.questions.find((q) => q.hook === 'connect');
    assert.equal((connect?.body['claims'] as { sub: string }).sub, 'grace');
    assert.equal(connect?.body['token'], undefined, 'a verified token is not passed on raw');
    assert.equal(backend.questions.find((q) => q.hook === 'subscribe')?.body['user'], 'grace');
    // The token is checked before the hook is asked: a bad one never reaches it.
    backend.questions.length = 0;
    assertError(await http(server.sseUrl([channel], { token: `${token}x` })), 401, 'token-invalid');
    assert.equal(backend.questions.length, 0);
  });

  it('reuses a connect answer within cacheMs instead of asking again', async () => {
    const channel = uniqueChannel();
    for (let i = 0; i < 3; i += 1) await helloChannels(server.sseUrl([channel]), { Cookie: 'session=cached' });
    assert.equal(backend.questions.filter((q) => q.hook === 'connect').length, 1);
    // cacheMs 0 on the subscribe hook: asked every time.
    assert.equal(backend.questions.filter((q) => q.hook === 'subscribe').length, 3);
  });

  it('fails closed with 503 hook-unavailable when the hook times out, errs or answers nonsense', async () => {
    const held: ServerResponse[] = [];
    backend.policy = (q, res) => (q['hook'] === 'connect' ? answer(res, { allow: true }) : held.push(res));
    const res = await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=slow' } });
    assertError(res, 503, 'hook-unavailable');
    assert.ok(Number(res.headers['retry-after']) > 0);
    for (const r of held) r.destroy();

    backend.policy = (q, r) => (q['hook'] === 'connect' ? answer(r, { allow: true }) : (r.writeHead(500), r.end('boom')));
    assertError(await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=err' } }), 503, 'hook-unavailable');
    backend.policy = (q, r) => (q['hook'] === 'connect' ? answer(r, { allow: true }) : answer(r, { allowed: 'yes' }));
    assertError(await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=bad' } }), 503, 'hook-unavailable');
    backend.policy = (q, r) => answer(r, q['hook'] === 'connect' ? { allow: true, user: 'x'.repeat(200) } : { allow: true });
    assertError(await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=long-user' } }), 503, 'hook-unavailable');
  });

  it('never follows a redirect', async () => {
    const elsewhere = await new HookBackend().start();
    try {
      backend.policy = (_q, res) => {
        res.writeHead(307, { Location: `${elsewhere.origin}/steal` });
        res.end();
      };
      assertError(await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'session=redirect' } }), 503, 'hook-unavailable');
      assert.equal(elsewhere.questions.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it('names the user of a send and what it may send to', async () => {
    const channel = uniqueChannel('chat');
    backend.policy = (q, res) => answer(res, q['hook'] === 'connect' ? { allow: true, user: 'lin', publish: ['chat.*'] } : { allow: true });
    const res = await http(`${server.base}/send`, { headers: { Cookie: 'session=lin' }, body: { channel, data: 'hi' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(backend.questions[0]?.body['endpoint'], 'send');
    const refused = await http(`${server.base}/send`, { headers: { Cookie: 'session=lin' }, body: { channel: uniqueChannel('news'), data: 'hi' } });
    assert.equal(refused.status, 403, refused.text);
  });
});

describe('hook limits and configuration', () => {
  it('bounds the questions under way with 503 hook-busy, and coalesces the same question', async () => {
    const backend = await new HookBackend().start();
    const held: ServerResponse[] = [];
    backend.policy = (_q, res) => held.push(res);
    const server = await startServer({ hooks: { secret: HOOK_SECRET, connect: { url: backend.origin, timeoutMs: 10_000, maxInFlight: 1 } } });
    try {
      const first = http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'a=1' } });
      await until(() => held.length === 1, 5000, 'the first question');
      // The same credentials again: joins the question under way rather than asking twice.
      const same = http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'a=1' } });
      assertError(await http(server.sseUrl([uniqueChannel()]), { headers: { Cookie: 'b=2' } }), 503, 'hook-busy');
      held[0]!.writeHead(200, { 'Content-Type': 'application/json' }).end('{"allow":false}');
      assertError(await first, 403, 'hook-refused');
      assertError(await same, 403, 'hook-refused');
      assert.equal(backend.questions.length, 1);
    } finally {
      await server.close();
      await backend.close();
    }
  });

  it('passes a token the server does not verify on raw to the connect hook', async () => {
    const backend = await new HookBackend().start();
    backend.policy = (q, res) => answer(res, q['token'] === 'opaque-session-7' ? { allow: true, user: 'u7', channels: ['team.7.*'] } : { allow: false });
    const server = await startServer({ hooks: { secret: HOOK_SECRET, connect: backend.origin } });
    try {
      const channel = `team.7.${uniqueChannel()}`;
      const cursor = await helloChannels(server.sseUrl([channel]), { Authorization: 'Bearer opaque-session-7' });
      assert.ok(cursor.includes(channel));
      // Without a subscribe hook the usual rules apply: publicChannels (every channel on this server) stay readable.
      assert.ok((await helloChannels(server.sseUrl(['team.8.x']), { Authorization: 'Bearer opaque-session-7' })).includes('team.8.x'));
      assertError(await http(server.sseUrl([channel]), { headers: { Authorization: 'Bearer forged' } }), 403, 'hook-refused');
      // A raw token is bounded as a verified one is: an 8 KiB+ one is refused before the hook is asked.
      const asked = backend.questions.length;
      assertError(await http(server.sseUrl([channel]), { headers: { Authorization: `Bearer ${'x'.repeat(9000)}` } }), 401, 'token-invalid');
      assert.equal(backend.questions.length, asked);
    } finally {
      await server.close();
      await backend.close();
    }
  });

  it('fails closed when the hook cannot be reached at all', async () => {
    const backend = await new HookBackend().start();
    const origin = backend.origin;
    await backend.close();
    const server = await startServer({ hooks: { secret: HOOK_SECRET, subscribe: { url: origin, timeoutMs: 2000 } } });
    try {
      assertError(await http(server.sseUrl([uniqueChannel()])), 503, 'hook-unavailable');
    } finally {
      await server.close();
    }
  });

  it('refuses a configuration without a secret, with a bad URL or credentials in it, and reads the environment', () => {
    assert.throws(() => resolveOptions({ hooks: { connect: 'http://127.0.0.1:1/' } }, {}), /secret of at least 16/);
    assert.throws(() => resolveOptions({ hooks: { secret: HOOK_SECRET, connect: 'file:///etc/passwd' } }, {}), /http: or https:/);
    assert.throws(() => resolveOptions({ hooks: { secret: HOOK_SECRET, connect: 'http://u:p@127.0.0.1/' } }, {}), /user or password/);
    assert.throws(() => resolveOptions({ hooks: { secret: HOOK_SECRET, connect: { url: 'http://127.0.0.1/', timeoutMs: 0 } } }, {}), /timeoutMs/);
    const fromEnv = resolveOptions({}, { COMET_HOOK_SUBSCRIBE_URL: 'http://127.0.0.1:9/s', COMET_HOOK_SECRET: HOOK_SECRET, COMET_HOOK_TIMEOUT_MS: '750', COMET_HOOK_CACHE_MS: '0' });
    assert.equal(fromEnv.hooks?.subscribe?.url, 'http://127.0.0.1:9/s');
    assert.equal(fromEnv.hooks?.subscribe?.timeoutMs, 750);
    assert.equal(fromEnv.hooks?.subscribe?.cacheMs, 0);
    assert.equal(fromEnv.hooks?.connect, undefined);
    assert.throws(() => resolveOptions({}, { COMET_HOOK_CONNECT_URL: 'http://127.0.0.1:9/', COMET_HOOK_SECRET: HOOK_SECRET, COMET_HOOK_TIMEOUT_MS: 'soon' }), /COMET_HOOK_TIMEOUT_MS/);
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe('a backend in Python, no Node code (docs/hooks/hook_backend.py)', { skip: python ? false : 'python3 is not installed' }, () => {
  it('signs in by session cookie, refuses a stranger, and narrows the rooms to the member\'s', async () => {
    const script = fileURLToPath(new URL('../../docs/hooks/hook_backend.py', import.meta.url));
    const backend = startProcess('python3', [script, '0'], { env: { ...process.env, COMET_HOOK_SECRET: HOOK_SECRET } });
    try {
      await backend.waitFor(/listening on \d+/);
      const port = /listening on (\d+)/.exec(backend.output())![1];
      const hooked = await startServer({ hooks: { secret: HOOK_SECRET, connect: `http://127.0.0.1:${port}/connect`, subscribe: `http://127.0.0.1:${port}/subscribe` } });
      try {
        const cursor = await helloChannels(hooked.sseUrl(['room.lobby', 'room.ops', 'room.board']), { Cookie: 'theme=dark; session=s-bob' });
        assert.ok(cursor.includes('room.lobby'), cursor);
        assert.ok(!cursor.includes('room.ops') && !cursor.includes('room.board'), cursor);
        const ada = await helloChannels(hooked.sseUrl(['room.lobby', 'room.ops']), { Cookie: 'session=s-ada' });
        assert.ok(ada.includes('room.ops'), ada);
        const stranger = assertError(await http(hooked.sseUrl(['room.lobby']), { headers: { Cookie: 'session=nobody' } }), 403, 'hook-refused');
        assert.match(stranger, /sign in first/);
        assertError(await http(hooked.sseUrl(['room.board']), { headers: { Cookie: 'session=s-bob' } }), 403, 'hook-refused');
      } finally {
        await hooked.close();
      }
    } finally {
      await backend.stop();
    }
  });
});
