/**
 * When the upstream comes back after a refusal or a wake-up: never before
 * the server's Retry-After, whatever wakes it; after a wake-up, soon but
 * not at once (a whole network wakes together). Transports are scripted:
 * the test decides how each stream ends and counts the attempts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
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

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > timeoutMs) assert.fail(`waited ${timeoutMs} ms for ${what}`);
    await tick(5);
  }
}

describe('upstream reconnect pacing', () => {
  const upstreams: Upstream[] = [];
  afterEach(() => {
    for (const upstream of upstreams.splice(0)) upstream.close();
  });

  function start(reconnect: { baseDelayMs: number; maxDelayMs: number }): { upstream: Upstream; sse: ReturnType<typeof scripted> } {
    const sse = scripted();
    const upstream = new Upstream(
      { url: 'http://127.0.0.1:1/comet', transports: [sse], reconnect, ladder: { storage: null }, batchDelayMs: 0 },
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

  it('waits out the server\'s Retry-After, even when woken meanwhile, where its backoff alone would retry at once', async () => {
    const { upstream, sse } = start({ baseDelayMs: 1, maxDelayMs: 2 });
    await until(() => sse.sinks.length === 1, 'the first stream');
    const refused = Date.now();
    sse.sinks[0]!.closed(new HttpStatusError(503, 'server-busy', 'Busy.', 1000));
    await tick(50);
    upstream.retryNow();
    await until(() => sse.sinks.length === 2, 'the retry');
    assert.ok(sse.opened[1]! - refused >= 1000, `retried ${sse.opened[1]! - refused} ms after a Retry-After of 1 s`);
  });

  it('after a wake-up, retries within a second drawn at random rather than at once', async (t) => {
    // Half of each range: the backoff waits 30 s, so only the wake-up brings the retry within the test.
    t.mock.method(Math, 'random', () => 0.5);
    const { upstream, sse } = start({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await until(() => sse.sinks.length === 1, 'the first stream');
    sse.sinks[0]!.closed(new NetworkError('The event stream was interrupted.'));
    upstream.retryNow();
    await tick(0);
    assert.equal(sse.sinks.length, 1, 'not opened at once on the wake-up');
    await until(() => sse.sinks.length === 2, 'the retry after the wake-up (drawn: 500 ms)', 3000);
  });
});
