/**
 * client.send() against the real server: from every host and transport,
 * acknowledged with the stored event and delivered once to every
 * subscriber; retries stored once; each refusal with its code.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, isHttpStatusError, type ClientOptions, type CometClient } from '../../src/index.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { TransportName } from '../../src/protocol/transport-name.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { hubWorkerUrl } from './hub/tabs.js';

const server = getTestServer();
const clients: CometClient[] = [];
let users = 0;

function client(options: Partial<ClientOptions>): CometClient {
  const made = createClient({ url: server.comet, reconnect: { baseDelayMs: 50, maxDelayMs: 250 }, ...options });
  clients.push(made);
  return made;
}

/** A token of a user of its own (rate limits are per user) that may read and send on `t.*`. */
const token = (): Promise<string> => server.token({ sub: `sender-${Math.random().toString(36).slice(2)}-${++users}`, channels: ['t.*'], publish: ['t.*'] });

async function collect(target: CometClient, channel: string): Promise<CometEvent[]> {
  const events: CometEvent[] = [];
  await target.subscribe(channel, (event) => events.push(event)).ready;
  return events;
}

/** Publishes a sentinel after what a test sent: once every reader has it, nothing sent before can still arrive. */
async function settle(channel: string, readers: CometEvent[][]): Promise<void> {
  const sentinel = await server.publish(channel, 'sentinel', 'sentinel');
  await waitFor(() => readers.every((events) => events.some((event) => event.id === sentinel.id)), 8000, 'the sentinel everywhere');
  for (const events of readers) events.splice(events.findIndex((event) => event.id === sentinel.id), 1);
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isHttpStatusError(error)) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the send to be refused');
}

afterEach(() => {
  for (const made of clients.splice(0)) made.close();
});

describe('client.send()', function () {
  this.timeout(20_000);

  const combinations: Array<{ host: 'shared-worker' | 'leader-tab' | 'single-tab'; transport: TransportName }> = [
    { host: 'shared-worker', transport: 'sse' },
    { host: 'shared-worker', transport: 'long-poll' },
    { host: 'leader-tab', transport: 'sse' },
    { host: 'leader-tab', transport: 'iframe' },
    { host: 'leader-tab', transport: 'long-poll' },
    { host: 'single-tab', transport: 'sse' },
    { host: 'single-tab', transport: 'iframe' },
    { host: 'single-tab', transport: 'long-poll' },
  ];
  for (const { host, transport } of combinations) {
    it(`from a ${host} host over ${transport}: acknowledged once, delivered once to every subscriber`, async () => {
      const channel = uniqueChannel('t.send');
      const hub = `${channel}-hub`;
      const bearer = await token();
      const options = {
        host,
        hub,
        token: bearer,
        transports: [transport],
        ...(host === 'shared-worker' ? { workerUrl: hubWorkerUrl } : {}),
      } satisfies Partial<ClientOptions>;
      const sender = client(options);
      // A second client on the same hub (a second tab), and one with a connection of its own.
      const sibling = client(options);
      const apart = client({ host: 'single-tab', hub: `${hub}-apart`, token: bearer });
      const readers = [await collect(sender, channel), await collect(sibling, channel), await collect(apart, channel)];
      expect(sender.host).to.equal(host);
      expect(sender.transport).to.equal(transport);

      const acknowledged = [];
      for (const text of ['one', 'two', 'three']) acknowledged.push(await sender.send(channel, { text }, { type: 'chat.message' }));
      expect(acknowledged.map((event) => event.data)).to.deep.equal([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
      expect(acknowledged.every((event) => event.channel === channel && event.type === 'chat.message')).to.equal(true);

      await settle(channel, readers);
      for (const events of readers) expect(events.map((event) => event.id)).to.deep.equal(acknowledged.map((event) => event.id));
    });
  }

  it('a sibling tab sends while another tab holds the connection', async () => {
    const channel = uniqueChannel('t.send');
    const bearer = await token();
    const leader = client({ host: 'leader-tab', hub: `${channel}-hub`, token: bearer });
    const follower = client({ host: 'leader-tab', hub: `${channel}-hub`, token: bearer });
    const events = await collect(leader, channel);
    const sent = await follower.send(channel, 'from the follower');
    await settle(channel, [events]);
    expect(events.map((event) => event.id)).to.deep.equal([sent.id]);
  });

  it('stores a send whose answer was lost once: the retry under the same key gets the stored event', async () => {
    const channel = uniqueChannel('t.send');
    const sender = client({ host: 'single-tab', hub: `${channel}-hub`, token: await token() });
    const events = await collect(sender, channel);
    await server.loseAnswer('lost-answer-key-1');
    const sent = await sender.send(channel, 'once', { key: 'lost-answer-key-1' });
    await settle(channel, [events]);
    expect(events.map((event) => event.id)).to.deep.equal([sent.id]);
    const history = await sender.history(channel, { limit: 10 });
    expect(history.filter((event) => event.type !== 'sentinel').map((event) => event.id)).to.deep.equal([sent.id]);
  });

  it('a repeated send with the same key answers the first event', async () => {
    const channel = uniqueChannel('t.send');
    const sender = client({ host: 'single-tab', hub: `${channel}-hub`, token: await token() });
    const events = await collect(sender, channel);
    const first = await sender.send(channel, 'x', { key: 'repeated-key-001' });
    const second = await sender.send(channel, 'x', { key: 'repeated-key-001' });
    expect(second).to.deep.equal(first);
    await settle(channel, [events]);
    expect(events.map((event) => event.id)).to.deep.equal([first.id]);
  });

  it('refuses with the server\'s code: 403 naming the channel, 401, 413, 422, 429', async () => {
    const channel = uniqueChannel('t.send');
    const readOnly = client({ host: 'single-tab', hub: `${channel}-ro`, token: await server.token({ sub: `ro-${channel}`, channels: ['t.*'], publish: ['t.other.*'] }) });
    const forbidden = await failure(readOnly.send(channel, 1));
    expect([forbidden.status, forbidden.code]).to.deep.equal([403, 'channel-forbidden']);
    expect(forbidden.message).to.contain(channel);

    const anonymous = client({ host: 'single-tab', hub: `${channel}-anon` });
    expect(await failure(anonymous.send(channel, 1))).to.include({ status: 401, code: 'token-missing' });

    const sender = client({ host: 'single-tab', hub: `${channel}-hub`, token: await token() });
    expect(await failure(sender.send(channel, 'z'.repeat(70_000)))).to.include({ status: 413, code: 'payload-too-large' });
    expect(await failure(sender.send(channel, { refuse: true }))).to.include({ status: 422, code: 'send-refused' });

    // The harness allows bursts of 10 per user and 2 a second after: 25 sends at once meet the limit unless they take 7 s.
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        sender.send(channel, i).then(
          () => undefined,
          (error: unknown) => (isHttpStatusError(error) ? { status: error.status, code: error.code } : undefined),
        ),
      ),
    );
    const limited = outcomes.find((outcome) => outcome !== undefined);
    expect(limited).to.deep.equal({ status: 429, code: 'rate-limited' });
  });

  it('refuses bad input before any request', async () => {
    const sender = client({ host: 'single-tab', hub: uniqueChannel('t.send-hub') });
    for (const [attempt, code] of [
      [() => sender.send('no spaces', 1), 'invalid-channel'],
      [() => sender.send('t.ok', 1, { type: 'bad type' }), 'invalid-type'],
      [() => sender.send('t.ok', 1n), 'invalid-data'],
    ] as const) {
      let caught: unknown;
      await attempt().catch((error: unknown) => (caught = error));
      expect((caught as { code?: string })?.code).to.equal(code);
    }
  });
});
