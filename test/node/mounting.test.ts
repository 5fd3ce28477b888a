import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { CometServer } from '../../server/comet-server.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

const KEY = 'mount-key';

/**
 * What Connect and Express do for `app.use(prefix, handler)`: keep the full
 * URL in `req.originalUrl`, strip the mount path from `req.url`, and pass a
 * `next` that falls through to the rest of the app. Express sets
 * `originalUrl` on every request, mounted or not. Emulated here so the
 * tests need no framework.
 */
function expressApp(prefix: string, nextCalls: unknown[][]) {
  return (comet: CometServer) => (req: IncomingMessage, res: ServerResponse) => {
    const original = req.url ?? '/';
    Object.assign(req, { originalUrl: original });
    const rest = (): void => {
      req.url = original;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`app handled ${original}`);
    };
    const matches = prefix === '' || original === prefix || original.startsWith(`${prefix}/`) || original.startsWith(`${prefix}?`);
    if (!matches) return rest();
    req.url = original.slice(prefix.length) || '/';
    comet(req, res, (...args: unknown[]) => {
      nextCalls.push(args);
      rest();
    });
  };
}

describe('mounted under a path, Express-style (app.use("/realtime", comet))', () => {
  let server: TestServer;
  const nextCalls: unknown[][] = [];
  before(async () => {
    server = await startServer({ publishKey: KEY }, expressApp('/realtime', nextCalls));
  });
  after(() => server.close());

  it('serves the stream and publish under the mount path', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(`${server.origin}/realtime/sse?ch=${channel}`);
    try {
      assert.equal(stream.status, 200);
      helloOf(await stream.next());
      const res = await http(`${server.origin}/realtime/publish`, { headers: { Authorization: `Bearer ${KEY}` }, body: { channel, data: 'mounted' } });
      assert.equal(res.status, 200);
      assert.equal(eventOf(await stream.next()).data, 'mounted');
    } finally {
      stream.close();
    }
    const health = await http(`${server.origin}/realtime/health`);
    assert.equal(health.json<{ ok: boolean }>().ok, true);
  });

  it('calls next() without an error for paths it does not serve', async () => {
    nextCalls.length = 0;
    for (const path of ['/realtime/other', '/realtime/', '/realtime']) {
      const res = await http(`${server.origin}${path}`);
      assert.equal(res.text, `app handled ${path}`);
    }
    assert.deepEqual(nextCalls, [[], [], []]);
    assert.equal((await http(`${server.origin}/elsewhere`)).text, 'app handled /elsewhere');
  });
});

describe('used at the root, Express-style (app.use(comet))', () => {
  let server: TestServer;
  const nextCalls: unknown[][] = [];
  before(async () => {
    server = await startServer({ publishKey: KEY }, expressApp('', nextCalls));
  });
  after(() => server.close());

  it('serves its endpoints under basePath', async () => {
    const stream = await openSse(server.sseUrl([uniqueChannel()]));
    try {
      assert.equal(stream.status, 200);
      helloOf(await stream.next());
    } finally {
      stream.close();
    }
  });

  it('leaves the app\'s own routes alone, even those named like its endpoints', async () => {
    nextCalls.length = 0;
    // An app with its own /health or /publish must still get them: only /comet/* is ours.
    for (const path of ['/', '/health', '/publish', `/sse?ch=${uniqueChannel()}`, '/comet', '/comet/', '/comet/other', '/cometx/sse']) {
      const res = await http(`${server.origin}${path}`, { method: 'GET' });
      assert.equal(res.text, `app handled ${path}`, path);
    }
    assert.equal(nextCalls.length, 8);
    assert.ok(nextCalls.every((args) => args.length === 0));
  });
});

describe('with an empty basePath', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ basePath: '' });
  });
  after(() => server.close());

  it('serves the endpoints at the root', async () => {
    assert.equal(server.base, server.origin);
    const stream = await openSse(`${server.origin}/sse?ch=${uniqueChannel()}`);
    try {
      assert.equal(stream.status, 200);
      helloOf(await stream.next());
    } finally {
      stream.close();
    }
  });
});

describe('with a basePath given with a trailing slash', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ basePath: '/push/' });
  });
  after(() => server.close());

  it('normalizes it', async () => {
    assert.equal(server.comet.options.basePath, '/push');
    const stream = await openSse(`${server.origin}/push/sse?ch=${uniqueChannel()}`);
    try {
      assert.equal(stream.status, 200);
    } finally {
      stream.close();
    }
  });
});
