/**
 * `Subscription.ready` settles in every case, against the real reference
 * server: it resolves once the stream carries the channel, and rejects with
 * a CometError when that can no longer happen (unsubscribed, client closed,
 * connection closed by a fatal refusal). A page that never awaits it sees no
 * unhandled rejection.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, isCometError, type ClientOptions, type CometClient, type CometError } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();
const clients: CometClient[] = [];

function client(options: Partial<ClientOptions> = {}): CometClient {
  const made = createClient({
    url: server.comet,
    host: 'single-tab',
    hub: `ready-test-${Math.random().toString(36).slice(2)}`,
    transports: ['sse'],
    ...options,
  });
  clients.push(made);
  return made;
}

/** The reason `promise` rejected with; fails the test if it resolves instead. */
async function rejection(promise: Promise<unknown>): Promise<CometError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isCometError(outcome), `rejects with a CometError (got ${String(outcome)})`).to.equal(true);
  return outcome as CometError;
}

afterEach(() => {
  for (const made of clients.splice(0)) made.close();
});

describe('Subscription.ready', function () {
  this.timeout(15_000);

  it('resolves once the stream carries the channel: an event published then reaches the handler', async () => {
    const channel = uniqueChannel();
    const received: unknown[] = [];
    const subscription = client().subscribe(channel, (event) => received.push(event.data));
    await subscription.ready;
    await server.publish(channel, 'after ready');
    await waitFor(() => received.length === 1, 5000, 'the event published after ready');
    expect(received).to.deep.equal(['after ready']);
  });

  it('rejects with unsubscribed when unsubscribed before the stream carried the channel, and keeps other subscriptions of the channel waiting', async () => {
    const c = client();
    const channel = uniqueChannel();
    const left = c.subscribe(channel, () => {});
    const stays = c.subscribe(channel, () => {});
    left.unsubscribe();
    const error = await rejection(left.ready);
    expect(error.code).to.equal('unsubscribed');
    expect(error.message).to.contain(channel);
    await stays.ready;
  });

  it('rejects with client-closed when the client closes first, and at once for a subscription made after', async () => {
    const c = client();
    const pending = c.subscribe(uniqueChannel(), () => {});
    c.close();
    expect((await rejection(pending.ready)).code).to.equal('client-closed');
    expect((await rejection(c.subscribe(uniqueChannel(), () => {}).ready)).code).to.equal('client-closed');
  });

  it('rejects with the fatal error that closed the connection (401 token-missing)', async () => {
    const c = client();
    const subscription = c.subscribe(`private.${uniqueChannel()}`, () => {});
    const error = await rejection(subscription.ready);
    expect(error.code).to.equal('token-missing');
    expect(c.state).to.equal('closed');
  });

  it('raises no unhandled rejection for a page that never awaits it', async () => {
    const unhandled: unknown[] = [];
    const sentinel = new Error('sentinel');
    let sawSentinel: () => void = () => {};
    const sentinelSeen = new Promise<void>((resolve) => (sawSentinel = resolve));
    const listener = (event: PromiseRejectionEvent): void => {
      event.preventDefault();
      if (event.reason !== sentinel) return void unhandled.push(event.reason);
      // The sentinel is this test's own: kept from the runner where this listener runs first (the runner may
      // still log "Error: sentinel" as a rejection outside a test; that log line is expected, not a failure).
      event.stopImmediatePropagation();
      sawSentinel();
    };
    // Capturing, so it runs before the runner's own listener on window.
    window.addEventListener('unhandledrejection', listener, { capture: true });
    try {
      const c = client();
      c.subscribe(uniqueChannel(), () => {}).unsubscribe();
      c.subscribe(uniqueChannel(), () => {});
      c.close();
      // A rejection nobody handles, made after: browsers report unhandled rejections in order, so once
      // this one is reported, any from the subscriptions above would have been too.
      void Promise.reject(sentinel);
      await sentinelSeen;
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', listener, { capture: true });
    }
  });
});
