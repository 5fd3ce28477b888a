/**
 * A SharedWorker that dies (the browser may kill one) takes the hub with
 * it; its pages notice through the hub's lock, start a new worker, and the
 * new hub resumes from the pages' positions: nothing lost or doubled.
 */
import { expect } from '@esm-bundle/chai';
import { CometClient } from '../../../src/client/client.js';
import { hubName } from '../../../src/hosts/host-link.js';
import { PORT_PROTOCOL_VERSION } from '../../../src/hub/port-protocol.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';

const server = getTestServer();
const closableWorkerUrl = new URL('./fixtures/closable-worker.ts', import.meta.url).href;

describe('SharedWorker loss', function () {
  this.timeout(30_000);
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
  });

  it('starts a new worker when the hub\'s worker ends, and resumes with nothing lost or doubled', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.feed`;
    const client = new CometClient({ url: server.comet, hub: prefix, workerUrl: closableWorkerUrl });
    cleanup.push(() => client.close());
    const received: string[] = [];
    const errors: string[] = [];
    client.addEventListener('error', (event) => errors.push(event.error.message));
    await client.subscribe(channel, (event) => received.push(event.id)).ready;
    expect(client.host).to.equal('shared-worker');

    const end = new BroadcastChannel(`cometkit-test:end-worker:${hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION })}`);
    cleanup.push(() => end.close());
    const published: CometEvent[] = [];
    for (let batch = 0; batch < 6; batch++) {
      published.push(...(await server.publishMany(Array.from({ length: 25 }, (_, i) => ({ channel, data: batch * 25 + i })))));
      if (batch === 2) end.postMessage('end');
    }
    // A worker that was told to close may finish its current tasks first: wait until the page noticed.
    await waitFor(() => errors.some((message) => message.includes('SharedWorker holding the hub ended')), 10_000, 'the page to notice');
    published.push(...(await server.publishMany(Array.from({ length: 25 }, (_, i) => ({ channel, data: `after ${i}` })))));
    await waitFor(() => received.length >= published.length, 20_000, `all ${published.length} events`).catch((error: Error) => {
      throw new Error(`${error.message}: got ${received.length}, state ${client.state}, errors: ${errors.join(' | ')}`);
    });
    expect(received).to.deep.equal(published.map((event) => event.id));
    expect(client.host).to.equal('shared-worker');
    await waitFor(async () => (await server.streams(prefix)) === 1, 5000, 'one stream, from the new worker');
  });
});
