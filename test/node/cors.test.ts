import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

const APP = 'https://app.example';
const KEY = 'cors-publish-key';

describe('CORS with a list of allowed origins', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ allowedOrigins: [APP, 'http://localhost:5173'], publishKey: KEY });
  });
  after(() => server.close());

  it('answers a preflight from an allowed origin with the methods and headers the client sends', async () => {
    for (const path of ['/sse', '/publish']) {
      const res = await http(`${server.base}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers.vary, 'Origin');
      const methods = (res.headers['access-control-allow-methods'] ?? '').split(/,\s*/);
      // PUT: the inbox preferences.
      for (const method of ['GET', 'POST', 'PUT']) assert.ok(methods.includes(method), `${method} in ${methods}`);
      const allowed = (res.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/,\s*/);
      // Last-Event-ID is what a polyfilled EventSource sends cross-origin when it resumes.
      for (const header of ['authorization', 'content-type', 'last-event-id']) assert.ok(allowed.includes(header), `${header} in ${allowed}`);
      assert.ok(Number(res.headers['access-control-max-age']) > 0);
    }
  });

  it('echoes an allowed origin on the stream and on publish', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]), { headers: { Origin: 'http://localhost:5173' } });
    try {
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['access-control-allow-origin'], 'http://localhost:5173');
      assert.equal(stream.headers['access-control-allow-credentials'], 'true');
      assert.equal(stream.headers.vary, 'Origin');
      helloOf(await stream.next());
    } finally {
      stream.close();
    }
    const res = await http(`${server.base}/publish`, { headers: { Origin: APP, Authorization: `Bearer ${KEY}` }, body: { channel, data: 1 } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], APP);
  });

  it('refuses another origin with 403, readable by the page that was refused', async () => {
    for (const [method, path] of [['GET', `/sse?ch=${uniqueChannel()}`], ['POST', '/publish'], ['POST', '/presence/leave?ch=a&session=s']] as const) {
      const res = await http(`${server.base}${path}`, {
        method,
        headers: { Origin: 'https://evil.example', Authorization: `Bearer ${KEY}` },
        ...(method === 'POST' ? { body: { channel: 'a', data: 1 } } : {}),
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.json<ErrorBody>().error.code, 'origin-forbidden');
      assert.equal(res.headers['access-control-allow-origin'], 'https://evil.example');
    }
  });

  it("answers a refused origin's preflight, so that the request it clears is refused in words the page can read", async () => {
    const preflight = await http(`${server.base}/history`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://evil.example');
    const refused = await http(`${server.base}/history?ch=a`, { headers: { Origin: 'https://evil.example', Authorization: 'Bearer x' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json<ErrorBody>().error.code, 'origin-forbidden');
    assert.equal(refused.headers['access-control-allow-origin'], 'https://evil.example');
  });

  it('lets the page read a 404 for a path that is no endpoint (a mistyped base path), and answers its preflight', async () => {
    for (const origin of [APP, 'https://evil.example']) {
      const missing = await http(`${server.base}/typo/sse?ch=a`, { headers: { Origin: origin } });
      assert.equal(missing.status, 404);
      assert.equal(missing.json<ErrorBody>().error.code, 'not-found');
      assert.equal(missing.headers['access-control-allow-origin'], origin);
      const preflight = await http(`${server.base}/typo/history`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });
      assert.equal(preflight.status, 204);
    }
    const malformed = await http(`${server.base}/typo/sse`, { headers: { Origin: 'https://a.example;x' } });
    assert.equal(malformed.status, 403);
    assert.equal(malformed.headers['access-control-allow-origin'], undefined);
  });

  it('does not mistake a prefix or another port for an allowed origin', async () => {
    for (const origin of ['https://app.example.evil.com', 'https://app.example:8443', 'http://app.example', 'null']) {
      const res = await http(server.sseUrl([uniqueChannel()]), { headers: { Origin: origin } });
      assert.equal(res.status, 403, origin);
    }
  });

  it('lets the server\'s own origin through without listing it', async () => {
    const stream = await openSse(server.sseUrl([uniqueChannel()]), { headers: { Origin: server.origin } });
    try {
      assert.equal(stream.status, 200);
    } finally {
      stream.close();
    }
  });

  it('adds no CORS headers to a request without Origin', async () => {
    const stream = await openSse(server.sseUrl([uniqueChannel()]));
    try {
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['access-control-allow-origin'], undefined);
      assert.equal(stream.headers.vary, undefined);
    } finally {
      stream.close();
    }
  });
});

describe('CORS with allowedOrigins "*"', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ allowedOrigins: '*' });
  });
  after(() => server.close());

  it('echoes any origin, without credentials', async () => {
    const res = await http(`${server.base}/sse`, { method: 'OPTIONS', headers: { Origin: 'https://anywhere.example' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://anywhere.example');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    const stream = await openSse(server.sseUrl([uniqueChannel()]), { headers: { Origin: 'https://other.example' } });
    try {
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['access-control-allow-origin'], 'https://other.example');
    } finally {
      stream.close();
    }
  });

  it('puts CORS headers on errors too, so the page can read them', async () => {
    const res = await http(`${server.base}/sse`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(res.status, 400);
    assert.equal(res.headers['access-control-allow-origin'], 'https://anywhere.example');
  });
});
