/**
 * Two server processes on Redis behind nginx (TLS, HTTP/2, round-robin, no
 * sticky sessions). On each transport, the process holding the client's
 * connection is killed mid-stream: the client is re-routed to the other
 * process and resumes from its cursor, with nothing lost, nothing doubled,
 * order kept.
 */
import { expect } from '@esm-bundle/chai';
import type { TransportName } from '../../../src/protocol/transport-name.js';
import { uniqueChannel, waitFor } from '../../support/env.js';
import { alternatingPublisher, getCluster, type ClusterClient } from '../../support/scale/cluster-client.js';
import { forgetTransportMemory, openClient, total, waitOpen, type TestClient } from '../transports/clients.js';

const BEFORE = 40;
const DURING = 40;
const AFTER = 20;

describe('two processes on Redis behind nginx (TLS, HTTP/2)', function () {
  this.timeout(60_000);
  let cluster: ClusterClient;
  let opened: TestClient | undefined;

  before(async function () {
    const started = await getCluster();
    if ('skip' in started) {
      console.warn(`skipping the nginx cluster tests: ${started.skip}`);
      this.skip();
    }
    cluster = started as ClusterClient;
  });
  afterEach(() => {
    opened?.close();
    opened = undefined;
  });

  for (const transport of ['sse', 'iframe', 'long-poll'] as const satisfies readonly TransportName[]) {
    it(`${transport}: the serving process killed mid-stream, the client re-routed to the other, nothing lost or doubled, in order`, async () => {
      forgetTransportMemory();
      const prefix = uniqueChannel('t.scale');
      const channels = [`${prefix}.a`, `${prefix}.b`] as const;
      opened = openClient({ url: cluster.url, hub: `scale-${transport}-${prefix}`, transports: [transport], helloTimeoutMs: 5000 }, channels);
      await waitOpen(opened.client, 20_000);
      expect(opened.client.transport).to.equal(transport);
      const received = opened.received;
      const { published, publish } = alternatingPublisher(cluster, channels);

      await publish(BEFORE);
      await waitFor(() => total(received) === BEFORE, 15_000, `the first ${BEFORE} events (have ${total(received)})`);
      const crashed = cluster.crash(prefix);
      // Published while the process is down and coming back: only a resume through the other process can bring them.
      for (let i = 0; i < DURING / 10; i += 1) await publish(10);
      const index = await crashed;
      await publish(AFTER);
      await waitFor(() => total(received) >= BEFORE + DURING + AFTER, 30_000, `all ${BEFORE + DURING + AFTER} events (have ${total(received)})`);

      for (const channel of channels) {
        const ids = received.get(channel)!.map((event) => event.id);
        const expected = published.filter((event) => event.channel === channel).map((event) => event.id);
        expect(ids, `${channel}: every event once, in order`).to.deep.equal(expected);
      }
      if (transport !== 'long-poll') {
        // A held stream: after the crash it is served by the other process (the restarted one is skipped for a while by nginx, or serves it after).
        await waitFor(async () => (await cluster.streams(prefix)).reduce((a, b) => a + b, 0) === 1, 10_000, 'one stream after the crash');
      }
      expect(index).to.be.oneOf([0, 1]);
      const protocols = await cluster.protocols();
      expect(protocols['HTTP/2.0'] ?? 0, `nginx served HTTP/2 (${JSON.stringify(protocols)})`).to.be.greaterThan(0);
      expect(protocols['HTTP/1.1'] ?? 0, 'no browser request fell back to HTTP/1.1').to.equal(0);
    });
  }
});
