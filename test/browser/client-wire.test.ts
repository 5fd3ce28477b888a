/**
 * Wire cases the reference server never produces — a malformed frame, a
 * server error before a success, a stream that never says hello or stops
 * beating — played by msw in front of a real EventSource.
 */
import { expect } from '@esm-bundle/chai';
import { http, HttpResponse, sse } from 'msw';
import { setupWorker } from 'msw/browser';
import { createClient, type CometClient } from '../../src/index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { waitFor } from '../support/env.js';

const BASE = `${location.origin}/mocked-wire/comet`;
const STREAM = `${BASE}/sse`;

type Script = (send: (frame: { event?: string; id?: string; data: unknown }) => void, request: Request) => void;
/** What each successive stream request does; the last one repeats. */
let scripts: Script[] = [];
let requests: URL[] = [];

const hello = (channel: string, heartbeat = 1000, seq = 0) => ({
  event: 'hello',
  id: `${channel}=m-${seq}`,
  data: { v: 1, time: Date.now(), heartbeat, cursor: `${channel}=m-${seq}`, transport: 'sse' },
});
const event = (channel: string, seq: number, data: unknown) => ({
  id: `${channel}=m-${seq}`,
  data: { id: `m-${seq}`, channel, type: 'message', data, time: Date.now() },
});

const worker = setupWorker(
  sse(STREAM, ({ client, request }) => {
    requests.push(new URL(request.url));
    const script = scripts[Math.min(requests.length, scripts.length) - 1];
    script?.((frame) => client.send(frame as never), request);
  }),
);

const clients: CometClient[] = [];
function client(): CometClient {
  const made = createClient({
    url: BASE,
    host: 'single-tab',
    hub: `wire-${Math.random().toString(36).slice(2)}`,
    transports: ['sse'],
    reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
    helloTimeoutMs: 400,
  });
  clients.push(made);
  return made;
}

describe('client: wire cases (msw)', () => {
  before(async () => {
    await worker.start({ quiet: true, onUnhandledFrame: 'bypass' });
  });

  after(async () => {
    await worker.stop();
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });

  beforeEach(() => {
    scripts = [];
    requests = [];
    worker.resetHandlers();
  });

  afterEach(() => {
    for (const made of clients.splice(0)) made.close();
  });

  it('reports a malformed frame, reconnects from the last good position, and loses nothing', async () => {
    const channel = 't.wire.malformed';
    scripts = [
      (send) => {
        send(hello(channel));
        send(event(channel, 1, 'before'));
        send({ id: `${channel}=m-2`, data: '{"id": "m-2", "channel": ' });
      },
      (send) => {
        send(hello(channel, 1000, 1));
        send(event(channel, 2, 'after'));
      },
    ];
    const c = client();
    const received: CometEvent[] = [];
    const errors: Array<{ name: string; code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 2, 3000, 'both events');
    expect(received.map((e) => e.data)).to.deep.equal(['before', 'after']);
    expect(errors[0]).to.include({ name: 'MalformedFrameError', code: 'malformed-frame' });
    expect(errors[0]!.message).to.match(/malformed frame/);
    // The second stream resumed from the last good event, not from the bad frame.
    expect(requests[1]!.searchParams.get('cursor')).to.equal(`${channel}=m-1`);
  });

  it('retries a 500 with backoff and then connects', async () => {
    const channel = 't.wire.500';
    let failures = 0;
    worker.use(
      http.get(STREAM, () => {
        // EventSource and the follow-up fetch that reads the reason: both see the 500.
        if (++failures <= 2) return HttpResponse.json({ error: { code: 'internal', message: 'boom' } }, { status: 500 });
        return undefined;
      }),
    );
    scripts = [(send) => {
      send(hello(channel));
      send(event(channel, 1, 'finally'));
    }];
    const c = client();
    const received: CometEvent[] = [];
    const errors: Array<{ status?: number; code: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error as never));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 1, 3000, 'the event after the 500');
    expect(errors[0]).to.include({ status: 500, code: 'internal' });
    expect(c.state).to.equal('open');
  });

  it('reconnects when no hello arrives before the deadline', async () => {
    const channel = 't.wire.nohello';
    scripts = [
      () => {
        // Holds the response open and says nothing, as a buffering proxy would.
      },
      (send) => {
        send(hello(channel));
        send(event(channel, 1, 'second stream'));
      },
    ];
    const c = client();
    const received: CometEvent[] = [];
    const errors: Array<{ code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 1, 4000, 'the event on the second stream');
    expect(errors[0]).to.include({ code: 'stream-timeout' });
    expect(errors[0]!.message).to.match(/No hello/);
    expect(requests.length).to.be.at.least(2);
  });

  it('reconnects when heartbeats stop', async () => {
    const channel = 't.wire.silent';
    scripts = [
      (send) => {
        // A 100 ms beat promised, then silence: dead after 2 beats + 1 s.
        send(hello(channel, 100));
        send(event(channel, 1, 'first stream'));
      },
      (send) => {
        send(hello(channel, 1000, 1));
        send(event(channel, 2, 'second stream'));
      },
    ];
    const c = client();
    const received: CometEvent[] = [];
    const errors: Array<{ code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 2, 5000, 'the event on the second stream');
    expect(received.map((e) => e.data)).to.deep.equal(['first stream', 'second stream']);
    expect(errors.map((e) => e.code)).to.include('stream-timeout');
    expect(errors.find((e) => e.code === 'stream-timeout')!.message).to.match(/No heartbeat/);
    expect(requests[1]!.searchParams.get('cursor')).to.equal(`${channel}=m-1`);
  });

  it('drops a replayed event it already delivered', async () => {
    const channel = 't.wire.replay';
    scripts = [
      (send) => {
        send(hello(channel));
        send(event(channel, 1, 'one'));
        send(event(channel, 1, 'one again'));
        send(event(channel, 2, 'two'));
      },
    ];
    const c = client();
    const received: CometEvent[] = [];
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length >= 2, 3000, 'two events');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.map((e) => e.data)).to.deep.equal(['one', 'two']);
  });
});
