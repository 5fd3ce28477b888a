/** Stream starts past the admission rate are told when to come back, spread at that rate, each in the words its client understands. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admission } from '../../server/stream/admission.js';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse, type SseStream } from '../support/sse-client.js';

describe('admission of stream starts', () => {
  it('takes a burst up to the rate, then hands out return times one slot apart, never later than the cap', () => {
    let now = 1_000_000;
    const admission = new Admission({ perSecond: 10, maxDelayMs: 1500 }, () => now, () => 0);
    for (let i = 0; i < 10; i++) assert.equal(admission.admit(), undefined, `start ${i} is within the burst`);
    const delays = Array.from({ length: 20 }, () => admission.admit()!);
    assert.deepEqual(delays.slice(0, 5), [100, 200, 300, 400, 500], 'one slot (1000 / 10 ms) after another');
    assert.ok(delays.every((delay) => delay <= 1500), `capped: ${delays.join(', ')}`);
    assert.equal(admission.refused, 20);
    now += 1000;
    assert.equal(admission.admit(), undefined, 'a second later the rate has room again');
  });

  it('jitters a return time within its last second, so a crowd told the same second spreads over it', () => {
    const admission = new Admission({ perSecond: 1, maxDelayMs: 60_000 }, () => 0, () => 0.5);
    admission.admit();
    assert.equal(admission.admit(), 500, 'slot at 1000 ms, drawn back by half of a second');
  });

  describe('on the server', () => {
    let server: TestServer;
    const streams: SseStream[] = [];
    before(async () => {
      server = await startServer({ maxStreamStartsPerSecond: 2, maxStartDelayMs: 5000, allowedOrigins: ['http://page.example'] });
    });
    after(async () => {
      for (const stream of streams) stream.close();
      await server?.close();
    });

    it('refuses an SDK start past the rate with 503 server-busy and Retry-After, and a bare EventSource with retry: only', async () => {
      const channel = uniqueChannel();
      for (let i = 0; i < 2; i++) streams.push(await openSse(server.sseUrl([channel])));
      const refused = await http(server.sseUrl([channel]));
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json<ErrorBody>().error.code, 'server-busy');
      const seconds = Number(refused.headers['retry-after']);
      assert.ok(seconds >= 1 && seconds <= 5, `Retry-After ${refused.headers['retry-after']}`);

      // A bare EventSource gives up on a 503: it reconnects by itself with Last-Event-ID, and is told when.
      const deferred = await http(server.sseUrl([channel]), { headers: { 'Last-Event-ID': `${channel}=abc-0` } });
      assert.equal(deferred.status, 200);
      assert.match(String(deferred.headers['content-type']), /^text\/event-stream/);
      const match = /^retry: (\d+)\n\n$/.exec(deferred.text);
      assert.ok(match, `only a retry field: ${JSON.stringify(deferred.text)}`);
      assert.ok(Number(match[1]) >= 1 && Number(match[1]) <= 5000, `retry ${match[1]} ms`);

      // The page cannot read an iframe's status: the refusal is posted as a frame, as other refusals are.
      const iframe = await http(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent('http://page.example')}`);
      assert.equal(iframe.status, 503);
      assert.match(iframe.text, /server-busy/);
      assert.match(String(iframe.headers['content-type']), /^text\/html/);
    });
  });
});
