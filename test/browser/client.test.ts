/**
 * The client against the real reference server: delivery, resume after
 * breaks, gaps, refusals. Each test uses channels of its own, and a hub of
 * its own in this tab alone, so no test shares a connection with another.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, type ClientOptions, type CometClient } from '../../src/index.js';
import type { CometEvent, Gap } from '../../src/protocol/messages.js';
import { parsePosition } from '../../src/protocol/position.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();
const clients: CometClient[] = [];
let hubs = 0;

function client(options: Partial<ClientOptions> = {}): CometClient {
  const made = createClient({
    url: server.comet,
    host: 'single-tab',
    hub: `client-test-${Math.random().toString(36).slice(2)}-${++hubs}`,
    transports: ['sse'],
    reconnect: { baseDelayMs: 50, maxDelayMs: 250 },
    ...options,
  });
  clients.push(made);
  return made;
}

/** Subscribes and collects; resolves once the stream is open, so later publishes are live. */
async function collect(target: CometClient, channel: string): Promise<CometEvent[]> {
  const events: CometEvent[] = [];
  target.subscribe(channel, (event) => events.push(event));
  await waitFor(() => target.state === 'open', 5000, `${channel} open`);
  return events;
}

const seqOf = (event: CometEvent): number => parsePosition(event.id)!.seq;

afterEach(() => {
  for (const made of clients.splice(0)) made.close();
});

describe('client: delivery', () => {
  it('delivers a published event to the handler, with its envelope', async () => {
    const channel = uniqueChannel();
    const c = client();
    const events = await collect(c, channel);
    const published = await server.publish(channel, { title: 'hello' }, 'greeting');
    await waitFor(() => events.length === 1, 3000, 'the event');
    expect(events[0]).to.deep.equal(published);
    expect(events[0]!.type).to.equal('greeting');
    expect(c.transport).to.equal('sse');
  });

  it('carries two channels on one stream, each to its own handlers', async () => {
    const a = uniqueChannel();
    const b = uniqueChannel();
    const c = client();
    const fromA: CometEvent[] = [];
    const fromB: CometEvent[] = [];
    // Subscribed in the same tick: one stream for both (the batch window).
    c.subscribe(a, (event) => fromA.push(event));
    c.subscribe(b, (event) => fromB.push(event));
    await waitFor(() => c.state === 'open', 5000, 'open');
    await server.publishMany([
      { channel: a, data: 1 },
      { channel: b, data: 2 },
      { channel: a, data: 3 },
    ]);
    await waitFor(() => fromA.length === 2 && fromB.length === 1, 3000, 'both channels');
    expect(fromA.map((e) => e.data)).to.deep.equal([1, 3]);
    expect(fromB.map((e) => e.data)).to.deep.equal([2]);
    expect(await server.streams(a)).to.equal(1);
    expect(await server.streams(b)).to.equal(1);
  });

  it('stops delivering after unsubscribe, and keeps delivering to the other subscribers', async () => {
    const channel = uniqueChannel();
    const c = client();
    const kept: unknown[] = [];
    const dropped: unknown[] = [];
    c.subscribe(channel, (event) => kept.push(event.data));
    const subscription = c.subscribe(channel, (event) => dropped.push(event.data));
    await waitFor(() => c.state === 'open', 5000, 'open');
    await server.publish(channel, 'first');
    await waitFor(() => kept.length === 1 && dropped.length === 1, 3000, 'first');
    subscription.unsubscribe();
    await server.publish(channel, 'second');
    await waitFor(() => kept.length === 2, 3000, 'second');
    expect(kept).to.deep.equal(['first', 'second']);
    expect(dropped).to.deep.equal(['first']);
  });

  it('goes back to idle, with no stream open, when the last subscription ends', async () => {
    const channel = uniqueChannel();
    const c = client();
    const subscription = c.subscribe(channel, () => {});
    await waitFor(() => c.state === 'open', 5000, 'open');
    subscription.unsubscribe();
    await waitFor(() => c.state === 'idle', 3000, 'idle');
    await waitFor(async () => (await server.streams(channel)) === 0, 3000, 'the stream to close');
  });

  it('keeps order and loses nothing while channels are added and removed around it', async () => {
    const steady = uniqueChannel();
    const c = client();
    const events = await collect(c, steady);
    const total = 200;
    for (let batch = 0; batch < 10; batch += 1) {
      const other = c.subscribe(uniqueChannel(), () => {});
      await server.publishMany(Array.from({ length: total / 10 }, (_, i) => ({ channel: steady, data: batch * 20 + i })));
      other.unsubscribe();
    }
    await waitFor(() => events.length >= total, 8000, `${total} events`);
    expect(events.map((e) => e.data)).to.deep.equal(Array.from({ length: total }, (_, i) => i));
  });

  it('returns recent history, oldest first, with the same ids as live events', async () => {
    const channel = uniqueChannel();
    const published = await server.publishMany([1, 2, 3, 4].map((n) => ({ channel, data: n })));
    const history = await client().history(channel, { limit: 3 });
    expect(history).to.deep.equal(published.slice(1));
  });

  it('rejects an invalid channel name at once with a clear error', () => {
    const c = client();
    expect(() => c.subscribe('no spaces allowed', () => {})).to.throw(/not a valid channel/);
    expect(() => c.subscribe('a,b', () => {})).to.throw(/not a valid channel/);
  });
});

describe('client: resume', () => {
  it('resumes after the server drops the stream, 600 events, none lost or doubled, in order', async function () {
    this.timeout(30_000);
    const channel = uniqueChannel();
    const c = client();
    const events = await collect(c, channel);
    const gaps: Gap[] = [];
    c.addEventListener('gap', (event) => gaps.push(event.gap));
    const total = 600;
    let cuts = 0;
    for (let batch = 0; batch < 12; batch += 1) {
      await server.publishMany(Array.from({ length: total / 12 }, (_, i) => ({ channel, data: batch * 50 + i })));
      // Cut while events may still be in flight: whatever the cut lost must come back in the replay.
      cuts += await server.disconnect(channel);
      // Back before the next batch, so the outage never outgrows the server's history (that would be a gap).
      await waitFor(async () => (await server.streams(channel)) === 1, 5000, 'the reconnect');
    }
    // A last event after all the others: once it is in, so is any event the replays doubled (a stream delivers in order).
    await server.publishMany([{ channel, data: 'end' }]);
    await waitFor(() => events.at(-1)?.data === 'end', 20_000, `${total} events and the end marker (have ${events.length})`);
    events.pop();
    expect(cuts).to.be.at.least(6);
    expect(gaps).to.deep.equal([]);
    expect(events.length).to.equal(total);
    expect(events.map((e) => e.data)).to.deep.equal(Array.from({ length: total }, (_, i) => i));
    const seqs = events.map(seqOf);
    expect(new Set(seqs).size).to.equal(total);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
  });

  it('reports a state change on a break and comes back open', async () => {
    const channel = uniqueChannel();
    const c = client();
    await collect(c, channel);
    const states: string[] = [];
    c.addEventListener('statechange', (event) => states.push(event.state));
    await server.disconnect(channel);
    await waitFor(() => states.includes('reconnecting') && c.state === 'open', 5000, 'reconnect');
    expect(states[0]).to.equal('reconnecting');
    expect(states.at(-1)).to.equal('open');
  });

  it('resumes events published while the server was down', async () => {
    const channel = uniqueChannel();
    const c = client();
    const events = await collect(c, channel);
    await server.publish(channel, 0);
    await waitFor(() => events.length === 1, 3000, 'the first event');
    const errors: string[] = [];
    c.addEventListener('error', (event) => errors.push(event.error.code));
    await server.outage(channel, 600);
    await server.publishMany(Array.from({ length: 20 }, (_, i) => ({ channel, data: i + 1 })));
    await waitFor(() => events.length === 21, 8000, 'the events of the outage');
    expect(events.map((e) => e.data)).to.deep.equal(Array.from({ length: 21 }, (_, i) => i));
    // The outage answered 503: retried, never fatal.
    expect(errors).to.include('unavailable');
    expect(c.state).to.equal('open');
  });

  it('reports a gap when the history no longer holds what was missed, then continues', async function () {
    this.timeout(15_000);
    const channel = uniqueChannel();
    const c = client();
    const events: CometEvent[] = [];
    const gaps: Gap[] = [];
    c.subscribe(channel, (event) => events.push(event), { onGap: (gap) => gaps.push(gap) });
    const clientGaps: Gap[] = [];
    c.addEventListener('gap', (event) => clientGaps.push(event.gap));
    await waitFor(() => c.state === 'open', 5000, 'open');
    const first = await server.publish(channel, 0);
    await waitFor(() => events.length === 1, 3000, 'the first event');

    const { historySize } = await server.info();
    const missed = historySize + 50;
    await server.outage(channel, 800);
    await server.publishMany(Array.from({ length: missed }, (_, i) => ({ channel, data: i + 1 })));
    await waitFor(() => gaps.length === 1 && events.length === 1 + historySize, 10_000, 'the gap and the replay');

    expect(gaps[0]).to.include({ channel, from: first.id, reason: 'history-exceeded' });
    expect(clientGaps).to.deep.equal(gaps);
    // After the gap: exactly what the server still held, the newest `historySize`, in order.
    const replayed = events.slice(1).map((e) => e.data);
    expect(replayed).to.deep.equal(Array.from({ length: historySize }, (_, i) => missed - historySize + i + 1));
    expect(seqOf(events[1]!)).to.equal(parsePosition(gaps[0]!.to)!.seq + 1);
  });
});

describe('client: refusals', () => {
  async function closedWith(c: CometClient, channel: string): Promise<{ status: number; code: string; message: string }> {
    c.subscribe(channel, () => {});
    const event = await new Promise<Event & { error?: unknown; state?: string }>((resolve) => {
      c.addEventListener('statechange', (e) => {
        if (e.state === 'closed') resolve(e as never);
      });
    });
    expect(c.state).to.equal('closed');
    return event.error as { status: number; code: string; message: string };
  }

  it('stops with 401 token-missing on a private channel without a token', async () => {
    const error = await closedWith(client(), `private.${uniqueChannel()}`);
    expect(error).to.include({ status: 401, code: 'token-missing' });
    expect(error.message).to.match(/send a token/);
  });

  it('stops with 401 token-invalid for a forged token', async () => {
    const token = await server.token({ channels: ['private.*'] });
    const forged = `${token.slice(0, -4)}AAAA`;
    const error = await closedWith(client({ token: forged }), `private.${uniqueChannel()}`);
    expect(error).to.include({ status: 401, code: 'token-invalid' });
  });

  it('stops with 401 token-expired for an expired token', async () => {
    const token = await server.token({ channels: ['private.*'], exp: -60 });
    const error = await closedWith(client({ token }), `private.${uniqueChannel()}`);
    expect(error).to.include({ status: 401, code: 'token-expired' });
  });

  it('asks a token function again after a 401, and connects with the fresh token', async () => {
    const channel = `private.${uniqueChannel()}`;
    const stale = await server.token({ channels: ['private.*'], exp: -60 });
    const fresh = await server.token({ channels: ['private.*'], exp: 600 });
    let calls = 0;
    const c = client({ token: () => (++calls === 1 ? stale : fresh) });
    const events = await collect(c, channel);
    await server.publish(channel, 'secret');
    await waitFor(() => events.length === 1, 3000, 'the private event');
    expect(calls).to.be.at.least(2);
  });

  it('stops with 403 channel-forbidden when the token does not cover the channel', async () => {
    const token = await server.token({ sub: 'ada', channels: ['private.ada.*'] });
    const error = await closedWith(client({ token }), `private.bob.${uniqueChannel()}`);
    expect(error).to.include({ status: 403, code: 'channel-forbidden' });
    expect(error.message).to.include('ada');
  });

  it('stops with 400 too-many-channels beyond the server limit', async () => {
    const c = client({ batchDelayMs: 50 });
    for (let i = 0; i < 64; i += 1) c.subscribe(uniqueChannel(), () => {});
    const error = await closedWith(c, uniqueChannel());
    expect(error).to.include({ status: 400, code: 'too-many-channels' });
  });
});
