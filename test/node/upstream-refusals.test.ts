/**
 * Which ends of a stream count against its transport on the ladder. A
 * refusal in the push server's own words (its store is away, it is busy)
 * proves the transport reached the server: however often it comes, the
 * upstream retries on the same transport. A bare status from something in
 * between, or a dropped stream, may be the path, and steps down after the
 * usual strikes. Transports are scripted: the test decides how each stream ends.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CometError } from '../../src/errors/comet-error.js';
import { HttpStatusError } from '../../src/errors/http-status-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import type { TransportName } from '../../src/protocol/transport-name.js';
import type { Transport, TransportSink } from '../../src/transports/transport.js';
import { Upstream } from '../../src/upstream/upstream.js';

/** A transport that records its streams; the test ends them. */
function scripted(name: TransportName): Transport & { readonly sinks: TransportSink[] } {
  const sinks: TransportSink[] = [];
  return {
    name,
    sinks,
    isSupported: () => true,
    open(_request, sink) {
      sinks.push(sink);
      opens.dispatchEvent(new Event('open'));
      return { close: () => {} };
    },
  };
}

/** Every scripted stream's open is announced here, so a test waits on the open itself rather than polling. */
const opens = new EventTarget();

/** Resolves once `condition` holds, re-checked on each stream the upstream opens; fails after 2 s without one. */
function until(condition: () => boolean, what: string): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => {
      opens.removeEventListener('open', check);
      reject(new assert.AssertionError({ message: `waited 2 s for ${what}` }));
    }, 2000);
    function check(): void {
      if (!condition()) return;
      clearTimeout(bound);
      opens.removeEventListener('open', check);
      resolve();
    }
    opens.addEventListener('open', check);
  });
}

describe('upstream: ends that count against the transport', () => {
  const upstreams: Upstream[] = [];
  afterEach(() => {
    for (const upstream of upstreams.splice(0)) upstream.close();
  });

  function start(): { upstream: Upstream; sse: ReturnType<typeof scripted>; poll: ReturnType<typeof scripted>; errors: CometError[] } {
    const sse = scripted('sse');
    const poll = scripted('long-poll');
    const errors: CometError[] = [];
    const upstream = new Upstream(
      { url: 'http://127.0.0.1:1/comet', transports: [sse, poll], reconnect: { baseDelayMs: 1, maxDelayMs: 2 }, ladder: { storage: null }, batchDelayMs: 0, helloTimeoutMs: 10_000, withCredentials: false },
      { event: () => {}, gap: () => {}, state: () => {}, error: (error) => errors.push(error) },
    );
    upstreams.push(upstream);
    upstream.setChannels(['news']);
    return { upstream, sse, poll, errors };
  }

  /** Ends the latest stream of `transport` with `error` and waits for the upstream's next attempt. */
  async function endWith(transport: ReturnType<typeof scripted>, all: () => number, error: CometError): Promise<void> {
    const before = all();
    transport.sinks.at(-1)!.closed(error);
    await until(() => all() > before, 'the next attempt');
  }

  it('retries on the same transport through any number of the server\'s own refusals', async () => {
    const { upstream, sse, poll, errors } = start();
    const attempts = (): number => sse.sinks.length + poll.sinks.length;
    await until(() => sse.sinks.length === 1, 'the first stream');
    for (let i = 0; i < 6; i++) {
      const code = i % 2 ? 'server-busy' : 'broker-unavailable';
      await endWith(sse, attempts, new HttpStatusError(503, code, 'The event store (Redis) is unreachable.'));
    }
    assert.equal(upstream.transport, 'sse');
    assert.equal(poll.sinks.length, 0, 'the lower transport was never opened');
    assert.equal(sse.sinks.length, 7);
    assert.deepEqual(new Set(errors.map((error) => error.code)), new Set(['broker-unavailable', 'server-busy']));
  });

  for (const [what, error] of [
    ['a bare 502 from something in between', () => new HttpStatusError(502, 'http-error', 'The push server answered 502 Bad Gateway')],
    ['a content type a proxy rewrote', () => new HttpStatusError(502, 'bad-content-type', 'The stream answered with Content-Type "text/html"')],
    ['a dropped stream', () => new NetworkError('The stream ended.')],
  ] as const) {
    it(`steps down after three of ${what} before the hello`, async () => {
      const { upstream, sse, poll } = start();
      const attempts = (): number => sse.sinks.length + poll.sinks.length;
      await until(() => sse.sinks.length === 1, 'the first stream');
      for (let i = 0; i < 3; i++) await endWith(sse, attempts, error());
      assert.equal(sse.sinks.length, 3);
      assert.equal(poll.sinks.length, 1, 'the fourth attempt is on the lower transport');
      assert.equal(upstream.transport, 'long-poll');
    });
  }
});
