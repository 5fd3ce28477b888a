/**
 * A page rides through a drain: two server processes on Redis behind nginx
 * (TLS, HTTP/2); the one holding the page's SSE stream is sent SIGTERM and
 * started again while events are published. The stream is told when to come
 * back, resumes on a process that is up from its cursor, and stays on SSE —
 * no error, no change of state, no step down the ladder — with every event
 * once and in order. In the page's own hub and in a SharedWorker's; and the
 * same for the iframe and long-poll transports on their own.
 */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../../src/client/client.js';
import type { TransportName } from '../../../src/protocol/transport-name.js';
import { uniqueChannel, waitFor } from '../../support/env.js';
import { alternatingPublisher, getCluster, type ClusterClient } from '../../support/scale/cluster-client.js';
import { hubWorkerUrl } from '../hub/tabs.js';
import { forgetTransportMemory, openClient, total, waitOpen, type TestClient } from '../transports/clients.js';

const BEFORE = 20;
const DURING = 30;
const AFTER = 10;

/** What a page would show its user: errors and state changes. */
function watch(client: CometClient): { errors: string[]; states: string[] } {
  const seen = { errors: [] as string[], states: [] as string[] };
  client.addEventListener('error', (event) => seen.errors.push(event.error.code));
  client.addEventListener('statechange', (event) => seen.states.push(event.state));
  return seen;
}

describe('a drain behind nginx (TLS, HTTP/2)', function () {
  this.timeout(60_000);
  let cluster: ClusterClient;
  let opened: TestClient | undefined;

  before(async function () {
    const started = await getCluster();
    if ('skip' in started) {
      console.warn(`skipping the drain tests: ${started.skip}`);
      this.skip();
    }
    cluster = started as ClusterClient;
  });
  afterEach(() => {
    opened?.close();
    opened = undefined;
  });

  // SSE with the whole ladder below it (a drain must not step it down); the fallbacks on their own.
  const cases = [
    { host: 'single-tab', transport: 'sse', ladder: true },
    { host: 'shared-worker', transport: 'sse', ladder: true },
    { host: 'single-tab', transport: 'iframe', ladder: false },
    { host: 'single-tab', transport: 'long-poll', ladder: false },
  ] as const satisfies ReadonlyArray<{ host: string; transport: TransportName; ladder: boolean }>;

  for (const { host, transport, ladder } of cases) {
    it(`${host}, ${transport}: the serving process drained and restarted, the page resumes on ${transport} with nothing lost or doubled, and reports nothing`, async () => {
      forgetTransportMemory();
      const prefix = uniqueChannel('t.drain');
      const channels = [`${prefix}.a`, `${prefix}.b`] as const;
      opened = openClient(
        {
          url: cluster.url,
          hub: `drain-${host}-${transport}-${prefix}`,
          host,
          ...(host === 'shared-worker' ? { workerUrl: hubWorkerUrl } : {}),
          ...(ladder ? {} : { transports: [transport] }),
          // The default: on a machine running three browsers' suites at once, a restarted process's hello took over 5 s.
          helloTimeoutMs: 10_000,
        },
        channels,
      );
      const { client, received } = opened;
      await waitOpen(client, 20_000);
      expect(client.transport).to.equal(transport);
      const seen = watch(client);
      const { published, publish } = alternatingPublisher(cluster, channels);

      await publish(BEFORE);
      await waitFor(() => total(received) === BEFORE, 15_000, `the first ${BEFORE} events (have ${total(received)})`);
      const drained = cluster.drain(prefix);
      // Published while the page waits its turn and the process restarts: only a resume from its cursor brings them.
      for (let i = 0; i < DURING / 10; i += 1) await publish(10);
      expect(await drained).to.be.oneOf([0, 1]);
      await publish(AFTER);
      await waitFor(() => total(received) >= BEFORE + DURING + AFTER, 30_000, `all ${BEFORE + DURING + AFTER} events (have ${total(received)})`);

      for (const channel of channels) {
        const ids = received.get(channel)!.map((event) => event.id);
        const expected = published.filter((event) => event.channel === channel).map((event) => event.id);
        expect(ids, `${channel}: every event once, in order`).to.deep.equal(expected);
      }
      // Served again by a process that is up: the drained stream did come back (a poll may be between two requests).
      if (transport !== 'long-poll') {
        await waitFor(async () => (await cluster.streams(prefix)).reduce((a, b) => a + b, 0) === 1, 10_000, 'one stream after the drain');
      }
      expect(client.transport).to.equal(transport);
      expect(client.decisions.map((decision) => decision.reason)).to.deep.equal(['initial']);
      expect(seen.errors, 'a drain is no error').to.deep.equal([]);
      expect(seen.states, 'nor a change of state').to.deep.equal([]);
      expect(client.state).to.equal('open');
    });
  }
});
