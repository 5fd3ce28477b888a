/**
 * Per-address limits behind a reverse proxy: X-Forwarded-For counts only on
 * a connection from a listed proxy. A client that reaches the port directly
 * and writes its own header is counted by its socket address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { proxyFromEnv } from '../../server/standalone/proxy-from-env.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';

const BURST = 8;
const TRIES = 20;

/** Anonymous sends, each claiming another client address; how many got through the per-address burst. */
async function spoofedSends(server: TestServer): Promise<number> {
  const channel = uniqueChannel();
  let accepted = 0;
  for (let i = 0; i < TRIES; i += 1) {
    const res = await http(`${server.base}/send`, {
      method: 'POST',
      headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` },
      body: { channel, type: 'chat', data: i },
    });
    assert.ok(res.status === 200 || res.status === 429, `${res.status} ${res.text}`);
    if (res.status === 200) accepted += 1;
  }
  return accepted;
}

const options = (trust: string) => ({
  ...proxyFromEnv({ COMET_TRUST_PROXY: trust }),
  // Almost no refill: the count does not depend on how fast this machine is.
  send: { publicChannels: ['test.*'], rate: { perSecond: 0.001, burst: BURST } },
});

describe('COMET_TRUST_PROXY', () => {
  let direct: TestServer;
  let proxied: TestServer;
  before(async () => {
    // The test client connects from 127.0.0.1: not a listed proxy here…
    direct = await startServer(options('10.0.0.0/8,::1'));
    // …and the listed proxy here, as nginx on the same host would be.
    proxied = await startServer(options('127.0.0.1'));
  });
  after(async () => {
    await direct?.close();
    await proxied?.close();
  });

  it('counts a direct client that spoofs X-Forwarded-For by its own address: the burst limit holds', async () => {
    assert.equal(await spoofedSends(direct), BURST);
  });

  it('reads X-Forwarded-For from a listed proxy: each forwarded client has its own limit', async () => {
    assert.equal(await spoofedSends(proxied), TRIES);
  });
});
