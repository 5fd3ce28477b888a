/**
 * Resume on every transport: 2,000 events on two channels while a proxy
 * drops the connection at random moments. Each transport is forced alone,
 * so a cut can only be survived by resuming from the cursor: nothing may be
 * lost or doubled, and each channel keeps its order.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../../src/protocol/messages.js';
import type { TransportName } from '../../../src/protocol/transport-name.js';
import { uniqueChannel, waitFor } from '../../support/env.js';
import { getLab, proxyKey } from '../../support/proxies/lab-client.js';
import { openClient, sleep, total, waitOpen, type TestClient } from './clients.js';

const EVENTS = 2000;
const BATCH = 50;

describe('connection cuts', function () {
  this.timeout(45_000);
  let opened: TestClient | undefined;
  afterEach(() => {
    opened?.close();
    opened = undefined;
  });

  for (const transport of ['sse', 'iframe', 'long-poll'] as const satisfies readonly TransportName[]) {
    it(`${transport}: ${EVENTS} events across random cuts, none lost, none doubled, in order per channel`, async () => {
      const lab = await getLab();
      const key = proxyKey(transport);
      await lab.setCutting(key, 100, 500);
      const channels = [uniqueChannel(), uniqueChannel()] as const;
      opened = openClient({ url: lab.cutUrl(key), hub: key, transports: [transport], helloTimeoutMs: 3000 }, channels);
      await waitOpen(opened.client);
      expect(opened.client.transport).to.equal(transport);

      // Published in batches over about six seconds, so cuts fall between and inside batches.
      const published: CometEvent[] = [];
      for (let sent = 0; sent < EVENTS; sent += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, i) => ({ channel: channels[(sent + i) % 3 === 0 ? 1 : 0], data: { n: sent + i } }));
        published.push(...(await lab.publishMany(batch)));
        await sleep(120);
      }
      // A last event per channel: once both arrived, everything before them was handled too.
      published.push(...(await lab.publishMany(channels.map((channel) => ({ channel, data: 'end' })))));
      const received = opened.received;
      // Every failure names the proxy's seed: COMET_LAB_SEED=<seed> replays the same cut times.
      const replay = `(replay: COMET_LAB_SEED=${lab.seed})`;
      await waitFor(() => channels.every((channel) => received.get(channel)!.at(-1)?.data === 'end'), 30_000, `all ${published.length} events (have ${total(received)}) ${replay}`);

      for (const channel of channels) {
        const ids = received.get(channel)!.map((event) => event.id);
        const expected = published.filter((event) => event.channel === channel).map((event) => event.id);
        expect(new Set(ids).size, `${channel}: no event twice ${replay}`).to.equal(ids.length);
        expect(ids, `${channel}: every event, in order ${replay}`).to.deep.equal(expected);
      }
      expect(total(received), replay).to.equal(EVENTS + 2);
      // The iframe transport sees a cut only when its heartbeat deadline passes (browsers fire no
      // event for an iframe whose response broke off), so its runs go through fewer cuts.
      expect(await lab.cuts(key), `responses the proxy cut during the run ${replay}`).to.be.at.least(2);
    });
  }
});
