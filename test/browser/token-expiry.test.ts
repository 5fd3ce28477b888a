/**
 * The server ends a stream when its token expires (PROTOCOL.md, "Token
 * expiry"). A client with a token function gets a fresh token and resumes
 * from its position, so every event arrives exactly once across the expiry;
 * a client with a fixed token stops with `token-expired` instead of retrying.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, type ClientOptions, type CometClient } from '../../src/index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { hubWorkerUrl } from './hub/tabs.js';

const server = getTestServer();
/** Publishes are spread out so some land on each side of the expiry; the loop stops by itself after this many. */
const MAX_PUBLISHES = 300;
const PACE_MS = 100;

describe('token expiry during a stream', function () {
  this.timeout(45_000);
  const clients: CometClient[] = [];
  afterEach(() => {
    for (const made of clients.splice(0)) made.close();
  });

  const open = (options: Partial<ClientOptions> & Pick<ClientOptions, 'token'>): CometClient => {
    const made = createClient({
      url: server.comet,
      host: 'single-tab',
      hub: `token-expiry-${Math.random().toString(36).slice(2)}`,
      reconnect: { baseDelayMs: 50, maxDelayMs: 250 },
      ...options,
    });
    clients.push(made);
    return made;
  };

  /** A token function asked again when the server ends the stream on its token: every event once across the expiry. */
  const refreshesAcrossExpiry = async (transport: 'sse' | 'iframe' | 'long-poll', host: Partial<ClientOptions> = {}): Promise<void> => {
    // Not t.*: only a token reads it.
    const channel = uniqueChannel('private');
    let tokens = 0;
    const client = open({
      transports: [transport],
      ...host,
      token: () => {
        tokens += 1;
        // One second of life (plus the server's 5 s clock tolerance): the stream outlives it.
        return server.token({ sub: 'expiring-reader', channels: [channel], exp: 1 });
      },
    });
    const codes: string[] = [];
    client.addEventListener('error', (event) => codes.push(event.error.code));
    const received: CometEvent[] = [];
    client.subscribe(channel, (event) => received.push(event));
    await waitFor(() => client.state === 'open', 10_000, 'the stream');

    const published: CometEvent[] = [];
    const resumed = (): boolean => codes.includes('token-expired') && tokens >= 2 && client.state === 'open';
    while (!resumed() && published.length < MAX_PUBLISHES) {
      published.push(await server.publish(channel, { n: published.length }));
      await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    }
    expect(resumed(), `resumed after the expiry (errors: ${codes.join()}, tokens: ${tokens}, state: ${client.state})`).to.equal(true);
    for (let i = 0; i < 3; i += 1) published.push(await server.publish(channel, { n: published.length }));

    await waitFor(() => received.length >= published.length, 10_000, `every event (${received.length} of ${published.length})`);
    expect(received.map((event) => event.id)).to.deep.equal(published.map((event) => event.id));
    expect(client.transport).to.equal(transport);
  };

  it('sse: refreshes through the token function when the stream\'s token expires, and gets every event exactly once', () => refreshesAcrossExpiry('sse'));
  it('iframe: refreshes through the token function when the stream\'s token expires, and gets every event exactly once', () => refreshesAcrossExpiry('iframe'));
  it('sse from a SharedWorker hub: the hub asks the tab\'s token function when the stream\'s token expires, and every event arrives once', () =>
    refreshesAcrossExpiry('sse', { host: 'shared-worker', workerUrl: hubWorkerUrl }));
  it('long-poll: refreshes through the token function when the held poll\'s token expires, and gets every event exactly once', () => refreshesAcrossExpiry('long-poll'));

  it('stops a client whose fixed token expires with token-expired, without retrying', async () => {
    const channel = uniqueChannel('private');
    const client = open({ transports: ['sse'], token: await server.token({ sub: 'fixed-reader', channels: [channel], exp: 1 }) });
    let closedWith: string | undefined;
    client.addEventListener('statechange', (event) => {
      if (event.state === 'closed') closedWith = event.error?.code;
    });
    client.subscribe(channel, () => {});
    await waitFor(() => client.state === 'open', 10_000, 'the stream');
    await waitFor(() => client.state === 'closed', 20_000, 'the client to stop');
    expect(closedWith).to.equal('token-expired');
  });
});
