/**
 * Two cometkit releases meeting through one hub fail clearly on both sides,
 * never by misreading each other's messages.
 */
import { expect } from '@esm-bundle/chai';
import { CometClient } from '../../../src/client/client.js';
import type { CometStateEvent } from '../../../src/client/events.js';
import { isCometError } from '../../../src/errors/comet-error.js';
import { hubName } from '../../../src/hosts/host-link.js';
import { PORT_PROTOCOL_VERSION } from '../../../src/hub/port-protocol.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl, openTab, otherReleaseWorkerUrl, type TestTab } from './tabs.js';

const server = getTestServer();

describe('port protocol versions', function () {
  this.timeout(20_000);
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
  });

  it('a page fails with a ProtocolError against a worker file of another release', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = new CometClient({ url: server.comet, hub: prefix, workerUrl: otherReleaseWorkerUrl });
    cleanup.push(() => client.close());
    const closed = new Promise<CometStateEvent>((resolve) =>
      client.addEventListener('statechange', (event) => event.state === 'closed' && resolve(event)),
    );
    client.subscribe(`${prefix}.a`, () => {});
    const event = await closed;
    expect(client.state).to.equal('closed');
    expect(isCometError(event.error)).to.equal(true);
    expect(event.error?.name).to.equal('ProtocolError');
    expect(event.error?.code).to.equal('protocol-version');
    expect(event.error?.message).to.contain('9.0.0').and.to.contain(`v${PORT_PROTOCOL_VERSION + 1}`).and.to.contain(`v${PORT_PROTOCOL_VERSION})`);
    expect(await server.streams(prefix), 'no stream opened for the refused page').to.equal(0);
  });

  it('a hub refuses a page of another port protocol version and tells its own pages', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    let tab: TestTab | undefined = await openTab('current release', { url: server.comet, hub: prefix, workerUrl: hubWorkerUrl, channels: [channel] });
    cleanup.push(() => tab?.close());
    await tab.tab.ready;

    // A page of a future release reaching the same worker: its hello is all this release can read of it.
    const worker = new SharedWorker(hubWorkerUrl, { type: 'module', name: hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION }) });
    const answers: unknown[] = [];
    worker.port.onmessage = (event) => answers.push(event.data);
    worker.port.start();
    cleanup.push(() => worker.port.close());
    worker.port.postMessage({ cometkit: PORT_PROTOCOL_VERSION + 1, type: 'hello', tab: 'future-tab', sdk: '99.0.0', shape: 'unknown to us' });

    await waitFor(() => answers.length > 0, 5000, 'an answer to the future page');
    expect(answers[0]).to.include({ cometkit: PORT_PROTOCOL_VERSION, type: 'refused' });
    expect((answers[0] as { message: string }).message).to.contain('99.0.0');

    await waitFor(() => tab!.tab.errors.length > 0, 5000, 'the current page to be told');
    expect(tab.tab.errors[0]).to.match(/^ProtocolError: .*99\.0\.0/);
    // The current page keeps working.
    await server.publish(channel, 'still here');
    await waitFor(() => tab!.tab.received.length === 1, 5000, 'the current page to keep receiving');
    expect(tab.tab.client.state).to.equal('open');
    tab.close();
    tab = undefined;
  });
});
