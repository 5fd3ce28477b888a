/**
 * Long-polling under load: far more events land between two polls than one
 * answer carries (500); the client must poll again at once from each
 * answer's cursor and deliver them all, in order, once.
 */
import { expect } from '@esm-bundle/chai';
import { uniqueChannel, waitFor } from '../../support/env.js';
import { getLab, proxyKey } from '../../support/proxies/lab-client.js';
import { openClient, total, waitOpen, type TestClient } from './clients.js';

describe('long-poll transport', function () {
  this.timeout(30_000);
  let opened: TestClient | undefined;
  afterEach(() => {
    opened?.close();
    opened = undefined;
  });

  it('delivers 1,500 events published in one burst between two polls, in order per channel, each once', async () => {
    const lab = await getLab();
    const channels = [uniqueChannel(), uniqueChannel()] as const;
    opened = openClient({ url: lab.comet, hub: proxyKey('lp'), transports: ['long-poll'] }, channels);
    await waitOpen(opened.client);
    expect(opened.client.transport).to.equal('long-poll');
    const polls = (): number => performance.getEntriesByType('resource').filter((entry) => entry.name.startsWith(`${lab.comet}/poll`)).length;
    const pollsBefore = polls();

    // One request to the lab publishes them all, one after another, while the client's poll is held.
    const published = await lab.publishMany(Array.from({ length: 1500 }, (_, i) => ({ channel: channels[i % 2]!, data: { i } })));
    await waitFor(() => total(opened!.received) >= published.length, 20_000, `1500 events (have ${total(opened!.received)})`);

    for (const channel of channels) {
      expect(opened.received.get(channel)!.map((event) => event.id)).to.deep.equal(published.filter((event) => event.channel === channel).map((event) => event.id));
    }
    expect(total(opened.received)).to.equal(1500);
    // At most 500 events per answer: the burst took at least three polls.
    expect(polls() - pollsBefore).to.be.at.least(3);
  });

  it('sends the token in the Authorization header, not in the URL', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    // The lab accepts no tokens at all: a token that reached it would be refused with 401 token-invalid.
    opened = openClient({ url: lab.comet, hub: proxyKey('lp'), transports: ['long-poll'], token: 'not-a-real-token' }, [channel]);
    await waitFor(() => opened!.client.state === 'closed', 10_000, 'the refusal');
    const entries = performance.getEntriesByType('resource').filter((entry) => entry.name.startsWith(`${lab.comet}/poll`) && entry.name.includes(channel));
    expect(entries.length).to.be.greaterThan(0);
    for (const entry of entries) expect(new URL(entry.name).searchParams.has('token')).to.equal(false);
  });
});
