import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import { demoNotify } from '../../server/demo/inbox-samples.js';
import { createStandaloneServer } from '../../server/standalone.js';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';
import { openSse } from '../support/sse-client.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const portOf = (server: TestServer): number => Number(new URL(server.origin).port);
const get = (target: string, headers: Record<string, string> = {}): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`;

function jsonError(answer: RawAnswer | undefined, status: number, code: string): void {
  assert.ok(answer, 'an answer');
  assert.equal(answer.status, status, answer.body);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  assert.equal((JSON.parse(answer.body) as ErrorBody).error.code, code);
}

describe('request targets no URL parser accepts', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('answers GET //[ (a path, not a host) with a JSON 404 and a target that is no URL with 400 bad-request, and keeps serving', async () => {
    jsonError(await rawRequest(portOf(server), get('//[')), 404, 'not-found');
    jsonError(await rawRequest(portOf(server), get('//[/comet/health')), 404, 'not-found');
    jsonError(await rawRequest(portOf(server), get('*')), 400, 'bad-request');
    jsonError(await rawRequest(portOf(server), get('http://[/comet/health')), 400, 'bad-request');
    assert.equal((await http(`${server.base}/health`)).status, 200);
  });

  it('routes an absolute-form target like its path', async () => {
    const answer = await rawRequest(portOf(server), get('http://anything.example/comet/health'));
    assert.equal(answer?.status, 200);
  });

  it('answers a percent-encoding that is not UTF-8 in a query with a 400, not a crash', async () => {
    jsonError(await rawRequest(portOf(server), get('/comet/sse?ch=%ff')), 400, 'bad-channel');
    jsonError(await rawRequest(portOf(server), get('/comet/history?ch=a&limit=%')), 400, 'bad-limit');
  });
});

function mounted(kind: 'express' | 'fastify', calls: string[]) {
  return (comet: CometServer) => (req: IncomingMessage, res: ServerResponse) => {
    const appAnswers = (): void => {
      calls.push(req.url ?? '');
      res.writeHead(418, { 'Content-Type': 'text/plain' });
      res.end('the app answered');
    };
    if (kind === 'express') {
      Object.assign(req, { originalUrl: req.url });
      comet(req, res, appAnswers);
    } else {
      // Fastify: `reply.hijack(); comet(request.raw, reply.raw)` on a catch-all route, no next.
      comet(req, res);
    }
  };
}

describe('malformed targets when mounted in an app', () => {
  it('Express-style: hands //[ and a target it cannot parse to next(), so the app decides', async () => {
    const calls: string[] = [];
    const server = await startServer({}, mounted('express', calls));
    try {
      assert.equal((await rawRequest(portOf(server), get('//[')))?.status, 418);
      assert.equal((await rawRequest(portOf(server), get('*')))?.status, 418);
      assert.deepEqual(calls, ['//[', '*']);
      assert.equal((await http(`${server.base}/health`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('Fastify hijack: answers //[ with a JSON 404 and a target it cannot parse with 400 bad-request', async () => {
    const server = await startServer({}, mounted('fastify', []));
    try {
      jsonError(await rawRequest(portOf(server), get('//[')), 404, 'not-found');
      jsonError(await rawRequest(portOf(server), get('*')), 400, 'bad-request');
      assert.equal((await http(`${server.base}/health`)).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('the standalone server with the demo files', () => {
  let comet: CometServer;
  let port = 0;
  let close: () => Promise<void>;
  before(async () => {
    comet = createCometServer({ allowedOrigins: '*' });
    // As the CLI runs it with --demo: the demo's own endpoint in front of the files.
    const server = createStandaloneServer(comet, { '/dist/': join(root, 'dist'), '/': join(root, 'demo') }, demoNotify(comet));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = async () => {
      await comet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  });
  after(() => close());

  it('answers GET //[ with the documented JSON 404, not a 500 from the demo endpoint', async () => {
    jsonError(await rawRequest(port, get('//[')), 404, 'not-found');
    jsonError(await rawRequest(port, get('//[/demo/notify')), 404, 'not-found');
  });

  it('answers /%ff (not UTF-8 once decoded) with 400 bad-request', async () => {
    jsonError(await rawRequest(port, get('/%ff')), 400, 'bad-request');
    jsonError(await rawRequest(port, get('/%')), 400, 'bad-request');
  });

  it('answers a NUL byte or a path out of the folder with 404, never a file outside it', async () => {
    jsonError(await rawRequest(port, get('/%00')), 404, 'not-found');
    jsonError(await rawRequest(port, get('/..%2f..%2fetc%2fpasswd')), 404, 'not-found');
    jsonError(await rawRequest(port, get('/%2e%2e/package.json')), 404, 'not-found');
  });

  it('serves the demo page with nosniff', async () => {
    const answer = await rawRequest(port, get('/'));
    assert.equal(answer?.status, 200);
    assert.equal(answer?.headers['x-content-type-options'], 'nosniff');
  });

  it('answers a request line Node cannot parse with a JSON 400', async () => {
    jsonError(await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'), 400, 'bad-request');
    jsonError(await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`), 431, 'headers-too-large');
  });
});

describe('nosniff on every response', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishKey: 'k', allowedOrigins: ['http://app.example'] });
  });
  after(() => server.close());

  it('on JSON answers and refusals of every endpoint, on the preflight, and on streams', async () => {
    const channel = uniqueChannel();
    const answers = [
      await http(`${server.base}/health`),
      await http(`${server.base}/history?ch=${channel}`),
      await http(`${server.base}/poll?ch=${channel}&wait=0`),
      await http(`${server.base}/publish`, { headers: { Authorization: 'Bearer k' }, body: { channel, data: 1 } }),
      await http(`${server.base}/presence?ch=${channel}`),
      await http(`${server.base}/presence?ch=${channel}&session=session-nosniff`, { method: 'POST' }),
      await http(`${server.base}/presence/leave?ch=${channel}&session=session-nosniff`, { method: 'POST' }),
      await http(`${server.base}/nope`),
      await http(`${server.base}/sse`),
      await http(`${server.base}/publish`),
      await http(`${server.base}/sse`, { method: 'OPTIONS', headers: { Origin: 'http://app.example' } }),
      await http(`${server.base}/iframe?ch=${channel}&origin=http%3A%2F%2Fapp.example&token=x`),
    ];
    for (const res of answers) assert.equal(res.headers['x-content-type-options'], 'nosniff', `${res.status} ${res.text.slice(0, 80)}`);
    for (const url of [server.sseUrl([channel]), `${server.base}/iframe?ch=${channel}&origin=http%3A%2F%2Fapp.example`]) {
      const stream = await openSse(url);
      try {
        assert.equal(stream.headers['x-content-type-options'], 'nosniff', url);
      } finally {
        stream.close();
      }
    }
  });
});

describe('origins', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publicOrigins: ['https://app.example'] });
  });
  after(() => server.close());

  it('does not take a page as same-origin because of the Host header (DNS rebinding)', async () => {
    const res = await http(`${server.base}/history?ch=a`, { headers: { Host: 'rebound.example', Origin: 'http://rebound.example' } });
    assert.equal(res.status, 403);
    assert.equal(res.json<ErrorBody>().error.code, 'origin-forbidden');
    const frame = await http(`${server.base}/iframe?ch=a&origin=${encodeURIComponent('http://rebound.example')}`, { headers: { Host: 'rebound.example' } });
    assert.equal(frame.status, 403);
  });

  it('takes a configured public origin, the address the socket reached and localhost on it as same-origin', async () => {
    const port = new URL(server.origin).port;
    for (const origin of ['https://app.example', server.origin, `http://localhost:${port}`]) {
      const res = await http(`${server.base}/history?ch=a`, { headers: { Origin: origin } });
      assert.equal(res.status, 200, origin);
      assert.equal(res.headers['access-control-allow-origin'], origin);
    }
  });

  it('refuses an iframe origin that is not exactly scheme://host[:port], so nothing reaches the CSP header', async () => {
    for (const origin of ['https://app.example;script-src *', 'https://app.example,https://evil.example', "https://app.example'", 'https://APP.example', 'https://app.example/', 'https://user@app.example', 'javascript:alert(1)']) {
      const res = await http(`${server.base}/iframe?ch=a&origin=${encodeURIComponent(origin)}`);
      assert.equal(res.status, 400, origin);
      assert.equal(res.json<ErrorBody>().error.code, 'bad-origin');
      assert.equal(res.headers['content-security-policy'], undefined);
    }
  });

  it('echoes only a re-serialized origin in CORS headers, and refuses Origin: null unless every origin is allowed', async () => {
    const res = await http(`${server.base}/history?ch=a`, { headers: { Origin: 'https://app.example;x' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal((await http(`${server.base}/history?ch=a`, { headers: { Origin: 'null' } })).status, 403);
    const open = await startServer({ allowedOrigins: '*' });
    try {
      const answer = await http(`${open.base}/history?ch=a`, { headers: { Origin: 'null' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['access-control-allow-origin'], 'null');
    } finally {
      await open.close();
    }
  });
});
