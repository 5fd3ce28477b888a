/**
 * `inbox:` and `presence:` channels are namespaces of their own: an inbox is
 * read by its user (or by a token that spells `inbox:` out), presence by a
 * pattern that spells `presence:` out. No wildcard reaches either, and no
 * user id can be spelled so that it owns another user's inbox channel.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { createCometServer } from '../../server/comet-server.js';
import { inboxChannel } from '../../server/inbox/inbox-channel.js';
import type { InboxPage } from '../../src/protocol/inbox-protocol.js';
import { http, type HttpResult } from '../support/http-client.js';
import { openIframe } from '../support/iframe-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { startProcess } from '../support/scale/child-process.js';
import { storageBackends } from '../support/scale/storage-backends.js';
import { openSse } from '../support/sse-client.js';

const SECRET = 'secret-for-reserved-channel-tests';
const KEY = 'publish-key-for-reserved-channel-tests';
const PAGE = 'http://page.example';

type Read = 'sse' | 'iframe' | 'poll' | 'history' | 'roster';
const READS: readonly Read[] = ['sse', 'iframe', 'poll', 'history'];

function errorCode(res: HttpResult): string | undefined {
  try {
    return res.json<{ error: { code: string } }>().error.code;
  } catch {
    return undefined;
  }
}

/** Reads `channel` over one transport; the answer's status and, when refused, its code. */
async function read(server: TestServer, how: Read, channel: string, token?: string): Promise<{ status: number; code: string | undefined }> {
  const query = new URLSearchParams({ ch: channel, ...(token ? { token } : {}) });
  switch (how) {
    case 'sse': {
      const stream = await openSse(`${server.base}/sse?${query}`);
      const code = stream.status === 200 ? undefined : (JSON.parse(await stream.text()) as { error: { code: string } }).error.code;
      stream.close();
      return { status: stream.status, code };
    }
    case 'iframe': {
      query.set('origin', PAGE);
      const doc = await openIframe(`${server.base}/iframe?${query}`);
      if (doc.status !== 200) await doc.ended;
      doc.close();
      const refusal = doc.frames.find((frame) => frame.kind === 'error')?.frame as { code?: string } | undefined;
      return { status: doc.status, code: refusal?.code };
    }
    case 'poll':
      query.set('wait', '0');
      break;
    case 'history':
      break;
    case 'roster':
      query.set('ch', channel.slice('presence:'.length));
      break;
  }
  const path = how === 'roster' ? 'presence' : how;
  const res = await http(`${server.base}/${path}?${query}`);
  return { status: res.status, code: res.status === 200 ? undefined : errorCode(res) };
}

describe('inbox channels of hashed user ids', () => {
  it('hashes an id that starts with "h.", so no plain id spells a hashed channel', () => {
    for (const victim of ['élodie', 'bob+x', 'ada lovelace', 'x'.repeat(123), 'h.', 'h.ada']) {
      const channel = inboxChannel(victim);
      assert.match(channel, /^inbox:h\.[A-Za-z0-9_-]{32}$/, victim);
      // The id an attacker would choose to own that channel gets a channel of its own.
      const spelled = channel.slice('inbox:'.length);
      assert.notEqual(inboxChannel(spelled), channel, `an id spelled "${spelled}" owns the channel of "${victim}"`);
    }
    assert.equal(inboxChannel('ada'), 'inbox:ada', 'a plain id keeps its readable channel');
    assert.equal(inboxChannel('hans'), 'inbox:hans');
  });
});

for (const backend of storageBackends) describe(`reserved channels (${backend.name})`, { skip: backend.skip }, () => {
  let server: TestServer;
  let storage: Awaited<ReturnType<typeof backend.start>>;
  before(async () => {
    storage = await backend.start();
    // publicChannels '*' on a server with tokens: it must still not make any inbox or roster public.
    server = await startServer({ ...storage.options, tokenSecret: SECRET, publishKey: KEY, publicChannels: ['*'], allowedOrigins: [PAGE], pollTimeoutMs: 300 });
  });
  after(async () => {
    await server?.close();
    await storage?.close();
  });

  const token = (sub: string, channels: string[] = []) => signToken({ sub, channels }, SECRET);

  it('gives a user whose id spells another user\'s hashed channel an inbox of their own, on every read', async () => {
    const victim = `élodie-${uniqueChannel('u')}`;
    const victimChannel = server.comet.inbox.channel(victim);
    const attacker = victimChannel.slice('inbox:'.length);
    const attackerToken = await token(attacker);
    const page = (await http(`${server.base}/inbox`, { headers: { Authorization: `Bearer ${attackerToken}` } })).json<InboxPage>();
    assert.notEqual(page.channel, victimChannel);
    await server.comet.inbox.notify(victim, { data: { link: 'https://app.example/reset?code=secret' } });
    for (const how of READS) {
      assert.deepEqual(await read(server, how, victimChannel, attackerToken), { status: 403, code: 'channel-forbidden' }, how);
    }
    // The victim still reads their own.
    assert.equal((await read(server, 'history', victimChannel, await token(victim))).status, 200);
  });

  it('lets no wildcard of a token or of publicChannels reach another user\'s inbox, on SSE, iframe, long-poll and history', async () => {
    const victim = uniqueChannel('victim');
    const channel = server.comet.inbox.channel(victim);
    await server.comet.inbox.notify(victim, { data: { title: 'private' } });
    for (const how of READS) {
      assert.deepEqual(await read(server, how, channel), { status: 401, code: 'token-missing' }, `${how} without a token`);
      for (const patterns of [['*'], ['in*'], ['i*'], ['inbox*'], ['*', 'presence:*']]) {
        const bearer = await token(uniqueChannel('reader'), patterns);
        assert.deepEqual(await read(server, how, channel, bearer), { status: 403, code: 'channel-forbidden' }, `${how} with ${JSON.stringify(patterns)}`);
      }
    }
  });

  it('reads another user\'s inbox only with a token that spells inbox: out (an explicit grant)', async () => {
    const victim = uniqueChannel('victim');
    const channel = server.comet.inbox.channel(victim);
    await server.comet.inbox.notify(victim, { data: { title: 'seen by support' } });
    for (const patterns of [['inbox:*'], [channel]]) {
      const support = await token('support-console', patterns);
      for (const how of READS) assert.equal((await read(server, how, channel, support)).status, 200, `${how} with ${JSON.stringify(patterns)}`);
    }
  });

  it('reads presence only with a pattern that spells presence: out, on SSE, iframe, long-poll, history and rosters', async () => {
    const room = uniqueChannel('room');
    for (const how of [...READS, 'roster'] as const) {
      assert.deepEqual(await read(server, how, `presence:${room}`), { status: 401, code: 'token-missing' }, `${how} without a token`);
      for (const patterns of [['*'], ['p*'], ['pres*'], ['presence*'], ['*', 'inbox:*']]) {
        const bearer = await token(uniqueChannel('reader'), patterns);
        assert.deepEqual(await read(server, how, `presence:${room}`, bearer), { status: 403, code: 'channel-forbidden' }, `${how} with ${JSON.stringify(patterns)}`);
      }
      for (const patterns of [['presence:*'], ['presence:room.*'], [`presence:${room}`]]) {
        const bearer = await token(uniqueChannel('reader'), patterns);
        assert.equal((await read(server, how, `presence:${room}`, bearer)).status, 200, `${how} with ${JSON.stringify(patterns)}`);
      }
    }
  });
});

describe('publicChannels and the anonymous inbox', () => {
  it('refuses a publicChannels pattern that would make inboxes public', () => {
    for (const pattern of ['inbox:*', 'inbox:ada']) {
      assert.throws(() => createCometServer({ publicChannels: ['news', pattern] }), /publicChannels cannot make inboxes public.*inbox\.anonymous/);
    }
  });

  let open: TestServer;
  before(async () => {
    open = await startServer({ publishKey: KEY, allowedOrigins: [PAGE] });
  });
  after(() => open?.close());

  it('keeps the inbox off on a server without tokens unless asked for: ?user= is refused and no inbox channel is public', async () => {
    const res = await http(`${open.base}/inbox?user=ada`);
    assert.equal(res.status, 401);
    assert.equal(errorCode(res), 'token-missing');
    await open.comet.inbox.notify('ada', { data: { title: 'private' } });
    for (const how of READS) assert.deepEqual(await read(open, how, 'inbox:ada'), { status: 401, code: 'token-missing' }, how);
    // Other channels and presence stay public there, as before.
    assert.equal((await read(open, 'history', 'news')).status, 200);
    assert.equal((await read(open, 'history', 'presence:news')).status, 200);
  });

  it('turns the anonymous inbox on with inbox.anonymous, and says so in the log', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const demo = await startServer({ inbox: { anonymous: true } });
    try {
      assert.ok(warn.mock.calls.some((call) => /anonymous inbox is on/.test(String(call.arguments[0]))), 'logged');
      const page = (await http(`${demo.base}/inbox?user=ada`)).json<InboxPage>();
      assert.equal(page.channel, 'inbox:ada');
      assert.equal((await read(demo, 'history', 'inbox:ada')).status, 200);
    } finally {
      await demo.close();
    }
  });

  it('turns it on for cli.ts --demo, which says so', async () => {
    const cli = startProcess(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../server/cli.ts', import.meta.url)), '--demo'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', COMET_REDIS_URL: '', COMET_TOKEN_SECRET: '' },
    });
    try {
      await cli.waitFor('cometkit demo on', 60_000);
      assert.match(cli.output(), /anonymous inbox is on/);
    } finally {
      await cli.stop('SIGTERM');
    }
  });
});
