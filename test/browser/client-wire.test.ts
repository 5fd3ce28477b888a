/**
 * Wire cases the reference server never produces — a malformed frame, a server error
 * before a success, a stream that never says hello or stops beating, a
 * replay — played by a real HTTP endpoint of the harness (wire-script.ts)
 * instead of msw, so they run in WebKit too, where msw's `sse()` buffers
 * the mocked stream until it closes.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, type CometClient } from '../../src/index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { WireStep } from '../support/wire-script.js';
import { getTestServer, waitFor } from '../support/env.js';

const hello = (channel: string, heartbeat = 1000, seq = 0) => ({
  event: 'hello',
  id: `${channel}=m-${seq}`,
  data: { v: 1, time: Date.now(), heartbeat, cursor: `${channel}=m-${seq}`, transport: 'sse' },
});
const event = (channel: string, seq: number, data: unknown) => ({
  id: `${channel}=m-${seq}`,
  data: { id: `m-${seq}`, channel, type: 'message', data, time: Date.now() },
});

/** Installs a script under a fresh key; returns the base URL for a client and a reader of the requests made. */
async function script(steps: readonly WireStep[]): Promise<{ base: string; requests: () => Promise<URL[]> }> {
  const { url } = getTestServer();
  const key = `w${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${url}/control/wire?key=${key}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ steps }) });
  if (!res.ok) throw new Error(`POST /control/wire: ${res.status} ${await res.text()}`);
  return {
    base: `${url}/wire/${key}`,
    requests: async () => ((await (await fetch(`${url}/control/wire?key=${key}`, { cache: 'no-store' })).json()) as { requests: string[] }).requests.map((u) => new URL(u)),
  };
}

const clients: CometClient[] = [];
function client(base: string): CometClient {
  const made = createClient({
    url: base,
    host: 'single-tab',
    hub: `wire-${Math.random().toString(36).slice(2)}`,
    transports: ['sse'],
    reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
    helloTimeoutMs: 400,
  });
  clients.push(made);
  return made;
}

describe('client: wire cases (real scripted server)', () => {
  afterEach(() => {
    for (const made of clients.splice(0)) made.close();
  });

  it('reports a malformed frame, reconnects from the last good position, and loses nothing', async () => {
    const channel = 't.wire.malformed';
    const wire = await script([
      { frames: [hello(channel), event(channel, 1, 'before'), { id: `${channel}=m-2`, data: '{"id": "m-2", "channel": ' }] },
      { frames: [hello(channel, 1000, 1), event(channel, 2, 'after')] },
    ]);
    const c = client(wire.base);
    const received: CometEvent[] = [];
    const errors: Array<{ name: string; code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 2, 3000, 'both events');
    expect(received.map((e) => e.data)).to.deep.equal(['before', 'after']);
    expect(errors[0]).to.include({ name: 'MalformedFrameError', code: 'malformed-frame' });
    expect(errors[0]!.message).to.match(/malformed frame/);
    // The second stream resumed from the last good event, not from the bad frame.
    expect((await wire.requests())[1]!.searchParams.get('cursor')).to.equal(`${channel}=m-1`);
  });

  it('retries a 500 with backoff and then connects', async () => {
    const channel = 't.wire.500';
    // EventSource and the follow-up fetch that reads the reason: both see the 500.
    const wire = await script([{ status: 500 }, { status: 500 }, { frames: [hello(channel), event(channel, 1, 'finally')] }]);
    const c = client(wire.base);
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
    // The first response is held open and says nothing, as a buffering proxy would.
    const wire = await script([{ frames: [] }, { frames: [hello(channel), event(channel, 1, 'second stream')] }]);
    const c = client(wire.base);
    const received: CometEvent[] = [];
    const errors: Array<{ code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 1, 4000, 'the event on the second stream');
    expect(errors[0]).to.include({ code: 'stream-timeout' });
    expect(errors[0]!.message).to.match(/No hello/);
    expect((await wire.requests()).length).to.be.at.least(2);
  });

  it('reconnects when heartbeats stop', async () => {
    const channel = 't.wire.silent';
    // A 100 ms beat promised, then silence: dead after 2 beats + 1 s.
    const wire = await script([
      { frames: [hello(channel, 100), event(channel, 1, 'first stream')] },
      { frames: [hello(channel, 1000, 1), event(channel, 2, 'second stream')] },
    ]);
    const c = client(wire.base);
    const received: CometEvent[] = [];
    const errors: Array<{ code: string; message: string }> = [];
    c.addEventListener('error', (e) => errors.push(e.error));
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.length === 2, 5000, 'the event on the second stream');
    expect(received.map((e) => e.data)).to.deep.equal(['first stream', 'second stream']);
    expect(errors.map((e) => e.code)).to.include('stream-timeout');
    expect(errors.find((e) => e.code === 'stream-timeout')!.message).to.match(/No heartbeat/);
    expect((await wire.requests())[1]!.searchParams.get('cursor')).to.equal(`${channel}=m-1`);
  });

  it('drops a replayed event it already delivered', async () => {
    const channel = 't.wire.replay';
    // The last frame marks the end of the script, so the test knows everything before it was read.
    const wire = await script([{ frames: [hello(channel), event(channel, 1, 'one'), event(channel, 1, 'one again'), event(channel, 2, 'two'), event(channel, 3, 'end')] }]);
    const c = client(wire.base);
    const received: CometEvent[] = [];
    c.subscribe(channel, (e) => received.push(e));
    await waitFor(() => received.some((e) => e.data === 'end'), 3000, 'the last event');
    expect(received.map((e) => e.data)).to.deep.equal(['one', 'two', 'end']);
  });
});
