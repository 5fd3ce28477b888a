/**
 * The transport ladder behind a buffering proxy: it must end on a transport
 * that delivers, by itself, and deliver every event exactly once on the
 * way; remember the downgrade for the push origin; and go back up only
 * after a background probe proved the better transport healthy.
 */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../../src/client/client.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import type { DecisionReason } from '../../../src/upstream/transport-ladder.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { getLab, proxyKey, type LabClient } from '../../support/proxies/lab-client.js';
import { forgetTransportMemory, openClient, waitOpen, type TestClient } from './clients.js';

const reasons = (client: CometClient): DecisionReason[] => client.decisions.map((decision) => decision.reason);

/** Publishes `count` events in batches and waits until the client has them all, then checks each arrived once, in order. */
async function deliverAll(lab: LabClient, opened: TestClient, channel: string, count: number, published: CometEvent[] = []): Promise<CometEvent[]> {
  for (let sent = 0; sent < count; sent += 50) {
    published.push(...(await lab.publishMany(Array.from({ length: Math.min(50, count - sent) }, (_, i) => ({ channel, data: sent + i })))));
  }
  const received = opened.received.get(channel)!;
  await waitFor(() => received.length >= published.length && received.at(-1)?.id === published.at(-1)?.id, 20_000, `${published.length} events (have ${received.length})`);
  expect(received.map((event) => event.id)).to.deep.equal(published.map((event) => event.id));
  return published;
}

describe('transport ladder', function () {
  this.timeout(40_000);
  let opened: TestClient[] = [];
  beforeEach(() => forgetTransportMemory());
  afterEach(() => {
    for (const client of opened) client.close();
    opened = [];
    forgetTransportMemory();
  });

  it('starts on SSE and says why', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    const client = openClient({ url: lab.comet, hub: proxyKey('start') }, [channel]);
    opened.push(client);
    const events: string[] = [];
    client.client.addEventListener('transportdecision', (event) => events.push(event.decision.reason));
    await waitOpen(client.client);
    expect(client.client.transport).to.equal('sse');
    expect(reasons(client.client)).to.deep.equal(['initial']);
    expect(events).to.deep.equal(['initial']);
    expect(client.client.decisions[0]!.detail).to.contain('sse, iframe, long-poll');
  });

  for (const forced of ['sse', 'iframe', 'long-poll'] as const) {
    it(`can be forced onto ${forced} with the transports option`, async () => {
      const lab = await getLab();
      const channel = uniqueChannel();
      const client = openClient({ url: lab.comet, hub: proxyKey('forced'), transports: [forced] }, [channel]);
      opened.push(client);
      await waitOpen(client.client);
      expect(client.client.transport).to.equal(forced);
      expect(client.client.decisions.map((d) => [d.reason, d.transport])).to.deep.equal([['initial', forced]]);
      await deliverAll(lab, client, channel, 100);
    });
  }

  it('a server down when the page loads and up 3 s later: the page comes back on SSE, no step down, every event once', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    const url = await lab.lateServer(3000);
    const client = openClient({ url, hub: proxyKey('late') }, [channel]);
    opened.push(client);
    const errors: string[] = [];
    client.client.addEventListener('error', (event) => errors.push(event.error.code));
    await waitOpen(client.client, 30_000);
    // The page tried while the server was down, and said why.
    expect(errors).to.include('unreachable');
    // The attempt under way as the server comes up may fail its stream and find the server answering its
    // diagnosis a moment later ("refused once, then accepted": `network`); nothing else.
    expect(errors.filter((code) => code !== 'unreachable' && code !== 'network')).to.deep.equal([]);
    expect(client.client.transport).to.equal('sse');
    expect(reasons(client.client)).to.deep.equal(['initial']);
    expect(Object.keys(localStorage).filter((key) => key.startsWith('cometkit:transport:'))).to.deep.equal([]);
    await deliverAll(lab, client, channel, 20);
  });

  it('refuses an unknown transport name', async () => {
    const lab = await getLab();
    expect(() => openClient({ url: lab.comet, hub: proxyKey('bad'), transports: ['websocket' as never] }, [])).to.throw(/transports/);
    expect(() => openClient({ url: lab.comet, hub: proxyKey('bad'), transports: [] }, [])).to.throw(/transports/);
  });

  it('behind a buffering proxy, steps down until a transport delivers, and delivers every event once', async () => {
    const lab = await getLab();
    const key = proxyKey('buffered');
    const channel = uniqueChannel();
    const client = openClient({ url: lab.bufferedUrl(key), hub: key, helloTimeoutMs: 1500 }, [channel]);
    opened.push(client);
    await waitOpen(client.client, 20_000);
    // SSE and the iframe's document (2 KiB of padding, then small scripts) stay in the proxy's 16 KiB buffer;
    // a poll's answer is complete, so the proxy lets it through.
    expect(client.client.transport).to.equal('long-poll');
    expect(client.client.decisions.map((d) => [d.reason, d.transport])).to.deep.equal([
      ['initial', 'sse'],
      ['hello-timeout', 'iframe'],
      ['hello-timeout', 'long-poll'],
    ]);
    await deliverAll(lab, client, channel, 300);
  });

  it('notices a proxy that starts buffering an open stream, steps down, and loses and doubles nothing', async () => {
    const lab = await getLab();
    const key = proxyKey('turns');
    await lab.setBuffering(key, 'pass');
    const channel = uniqueChannel();
    const client = openClient({ url: lab.bufferedUrl(key), hub: key, helloTimeoutMs: 1500 }, [channel]);
    opened.push(client);
    await waitOpen(client.client);
    expect(client.client.transport).to.equal('sse');
    const published = await deliverAll(lab, client, channel, 100);

    await lab.setBuffering(key, 'buffer');
    // Published while the open stream is held by the proxy: they must come through another transport.
    await deliverAll(lab, client, channel, 200, published);
    expect(client.client.transport).to.equal('long-poll');
    expect(reasons(client.client)).to.include('hello-timeout');
  });

  it('steps down on heartbeats that arrive bunched, before any deadline passes', async () => {
    const lab = await getLab();
    const key = proxyKey('bunched');
    // Small enough to let frames through every few beats, so the hello does arrive in time, with beats piled behind it.
    await lab.setBuffering(key, 'buffer', 400);
    const channel = uniqueChannel();
    const client = openClient({ url: lab.bufferedUrl(key), hub: key, helloTimeoutMs: 15_000 }, [channel]);
    opened.push(client);
    await waitFor(() => client.client.decisions.length >= 2, 20_000, 'a decision after the first');
    expect(client.client.decisions[1]).to.include({ reason: 'heartbeats-bunched', previous: 'sse', transport: 'iframe' });
    await waitOpen(client.client, 20_000);
    await deliverAll(lab, client, channel, 100);
  });

  it('remembers the downgrade for the push origin, probes SSE in the background, and switches back once it is healthy', async () => {
    const lab = await getLab();
    const key = proxyKey('memory');
    const channel = uniqueChannel();
    const first = openClient({ url: lab.bufferedUrl(key), hub: key, helloTimeoutMs: 1500 }, [channel]);
    opened.push(first);
    await waitOpen(first.client, 20_000);
    expect(first.client.transport).to.equal('long-poll');
    first.close();

    // A new page on the same push origin starts where the last one ended up.
    const second = openClient({ url: lab.bufferedUrl(key), hub: `${key}-2`, helloTimeoutMs: 1500, ladder: { reprobeMs: 500 } }, [channel]);
    opened.push(second);
    await waitOpen(second.client);
    expect(second.client.decisions[0]).to.include({ reason: 'remembered', transport: 'long-poll' });
    const published = await deliverAll(lab, second, channel, 50);

    // While the proxy still buffers, probes fail and the connection stays where it delivers.
    await waitFor(() => reasons(second.client).includes('probe-failed'), 15_000, 'a failed probe');
    expect(second.client.transport).to.equal('long-poll');

    await lab.setBuffering(key, 'pass');
    await waitFor(() => second.client.transport === 'sse', 20_000, 'the switch back to SSE').catch((error: Error) => {
      throw new Error(`${error.message}; decisions: ${JSON.stringify(second.client.decisions)}`);
    });
    // Probes go from the best transport down: the connection may climb through the iframe on its way.
    const climbs = second.client.decisions.filter((d) => d.reason === 'probe-healthy');
    expect(climbs.at(-1)).to.include({ probed: 'sse', transport: 'sse' });
    expect(climbs.map((d) => d.previous).every((previous) => previous === 'long-poll' || previous === 'iframe')).to.equal(true);
    await deliverAll(lab, second, channel, 100, published);

    // Back on the best transport, the memory is gone: the next page starts from the top.
    const third = openClient({ url: lab.bufferedUrl(key), hub: `${key}-3` }, [channel]);
    opened.push(third);
    await waitOpen(third.client);
    expect(reasons(third.client)).to.deep.equal(['initial']);
    expect(third.client.transport).to.equal('sse');
  });

  it('lets a remembered downgrade expire', async () => {
    const lab = await getLab();
    const key = proxyKey('expiry');
    const channel = uniqueChannel();
    const first = openClient({ url: lab.bufferedUrl(key), hub: key, helloTimeoutMs: 1500, ladder: { rememberMs: 1000 } }, [channel]);
    opened.push(first);
    await waitOpen(first.client, 20_000);
    expect(first.client.transport).to.equal('long-poll');
    first.close();
    await lab.setBuffering(key, 'pass');
    const rememberedAt = first.client.decisions.at(-1)!.time;
    await waitFor(() => Date.now() > rememberedAt + 2500, 5000, 'the memory to expire');

    const second = openClient({ url: lab.bufferedUrl(key), hub: `${key}-2`, ladder: { rememberMs: 1000 } }, [channel]);
    opened.push(second);
    await waitOpen(second.client);
    expect(reasons(second.client)).to.deep.equal(['remembered-expired', 'initial']);
    expect(second.client.transport).to.equal('sse');
  });

  it('starts on SSE when storage holds a remembered downgrade with a time no clock reaches, or junk', async () => {
    const server = getTestServer();
    const key = `cometkit:transport:${new URL(server.comet).origin}`;
    for (const stored of ['{"transport":"long-poll","until":1e300}', '{"transport":"long-poll","until":-1e300}', '{"transport":"<img src=x>","until":1}', '{"transport":', '[]']) {
      localStorage.setItem(key, stored);
      const channel = uniqueChannel();
      const client = openClient({ url: server.comet, hub: uniqueChannel('t.junk'), host: 'single-tab' }, [channel]);
      opened.push(client);
      await waitOpen(client.client);
      expect(client.client.transport, stored).to.equal('sse');
      expect(reasons(client.client).at(-1), stored).to.equal('initial');
    }
  });
});
