/**
 * The shipped nginx config (deploy/nginx/cometkit.conf) logs the endpoints'
 * requests without their query strings: stream URLs carry `?token=`, and a
 * token in a log is a credential for whoever reads it.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../server/auth/token.js';
import { startServer, type TestServer } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startNginx, type TestNginx } from '../support/scale/nginx-server.js';

const { skip } = scaleOutBinaries(['nginx']);
const SECRET = 'secret-for-nginx-log-tests';

/** One GET through nginx (its certificate is the test's own), answered at once; resolves to the status. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the shipped nginx config\'s access log', { skip }, () => {
  let server: TestServer;
  let nginx: TestNginx;
  before(async () => {
    server = await startServer({ tokenSecret: SECRET });
    nginx = await startNginx([(server.http.address() as AddressInfo).port]);
  });
  after(async () => {
    await nginx?.close();
    await server?.close();
  });

  it('logs the path of stream and history requests but never their query string, so no token lands in it', async () => {
    const token = await signToken({ sub: 'ada', channels: ['private.news'] }, SECRET);
    const wrong = await signToken({ sub: 'ada', channels: ['private.news'] }, 'not-the-secret');
    const requests = [
      [`/comet/history?ch=private.news&token=${token}`, 200],
      [`/comet/sse?ch=private.news&token=${wrong}`, 401],
      [`/comet/iframe?ch=private.news&origin=https%3A%2F%2Fapp.example&token=${wrong}`, 403],
      [`/comet/poll?ch=private.news&wait=0&token=${token}`, 200],
    ] as const;
    for (const [path, status] of requests) assert.equal(await get(`${nginx.origin}${path}`), status, path);
    // nginx writes a request's lines as it ends it; the shipped log holds one line per request.
    const shipped = (text: string): string[] => text.split('\n').filter((line) => line.includes('" GET /comet/') || line.includes('"GET /comet/'));
    let log = '';
    for (let tries = 0; tries < 100 && shipped(log).length < requests.length; tries += 1) {
      log = await nginx.accessLogs();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const secret of [token, wrong, token.split('.')[2]!, 'token=']) assert.ok(!log.includes(secret), `the log holds "${secret.slice(0, 20)}…": ${log}`);
    for (const [path] of requests) assert.ok(shipped(log).some((line) => line.includes(`"GET ${path.slice(0, path.indexOf('?'))} HTTP/`)), `${path} is not logged: ${log}`);
  });
});
