/**
 * When the upstream comes back after a refusal or a wake-up: never before
 * the server's Retry-After, whatever wakes it; after a wake-up, soon but
 * not at once (a whole network wakes together). Transports are scripted:
 * the test decides how each stream ends and counts the attempts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it, type TestContext } from 'node:test';
import { HttpStatusError } from '../../src/errors/http-status-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import { readRefusal } from '../../src/errors/read-refusal.js';
import type { Transport, TransportSink } from '../../src/transports/transport.js';
import { Upstream } from '../../src/upstream/upstream.js';

function scripted(): Transport & { readonly opened: number[]; readonly sinks: TransportSink[] } {
  const sinks: TransportSink[] = [];
  const opened: number[] = [];
  return {
    name: 'sse',
    sinks,
    opened,
    isSupported: () => true,
    open(_request, sink) {
      sinks.push(sink);
      opened.push(Date.now());
      return { close: () => {} };
    },
  };
}

/**
 * Runs what is due on the mocked clock after `ms`, then lets the promises it settled run their
 * callbacks (setImmediate is the real one: only setTimeout and Date are mocked).
 */
async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('upstream reconnect pacing', () => {
  const upstreams: Upstream[] = [];
  afterEach(() => {
    for (const upstream of upstreams.splice(0)) upstream.close();
  });

  function start(reconnect: { baseDelayMs: number; maxDelayMs: number }): { upstream: Upstream; sse: ReturnType<typeof scripted> } {
    const sse = scripted();
    const upstream = new Upstream(
      { url: 'http://127.0.0.1:1/comet', transports: [sse], reconnect, ladder: { storage: null }, batchDelayMs: 0, helloTimeoutMs: 10_000, withCredentials: false },
      { event: () => {}, gap: () => {}, state: () => {}, error: () => {} },
    );
    upstreams.push(upstream);
    upstream.setChannels(['news']);
    return { upstream, sse };
  }

  it('reads Retry-After from a refusal', async () => {
    const refusal = await readRefusal(
      new Response(JSON.stringify({ error: { code: 'server-busy', message: 'Busy.' } }), { status: 503, headers: { 'Retry-After': '7' } }),
    );
    assert.equal(refusal.retryAfterMs, 7000);
    assert.equal((await readRefusal(new Response('busy', { status: 503 }))).retryAfterMs, undefined);
  });

  it('waits out the server\'s Retry-After, even when woken meanwhile, where its backoff alone would retry at once', async (t) => {
    // Retry-After's own spread (up to a second more) drawn at its least: the retry falls due at 1 s exactly.
    t.mock.method(Math, 'random', () => 0);
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const { upstream, sse } = start({ baseDelayMs: 1, maxDelayMs: 2 });
    await advance(t, 0);
    assert.equal(sse.sinks.length, 1, 'the first stream');
    const refused = Date.now();
    sse.sinks[0]!.closed(new HttpStatusError(503, 'server-busy', 'Busy.', 1000));
    await advance(t, 50);
    upstream.retryNow();
    await advance(t, 949);
    assert.equal(sse.sinks.length, 1, 'not retried before the Retry-After of 1 s, woken or not');
    await advance(t, 1);
    assert.equal(sse.sinks.length, 2, 'retried as the Retry-After ends');
    assert.ok(sse.opened[1]! - refused >= 1000, `retried ${sse.opened[1]! - refused} ms after a Retry-After of 1 s`);
  });

  it('after a wake-up, retries within a second drawn at random rather than at once', async (t) => {
    // Half of each range: the backoff waits 30 s, so only the wake-up brings the retry within the test.
    t.mock.method(Math, 'random', () => 0.5);
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const { upstream, sse } = start({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await advance(t, 0);
    assert.equal(sse.sinks.length, 1, 'the first stream');
    sse.sinks[0]!.closed(new NetworkError('The event stream was interrupted.'));
    upstream.retryNow();
    await advance(t, 499);
    assert.equal(sse.sinks.length, 1, 'not opened at once on the wake-up, nor before the 500 ms drawn');
    await advance(t, 1);
    assert.equal(sse.sinks.length, 2, 'the retry after the wake-up, at the 500 ms drawn');
  });
});
