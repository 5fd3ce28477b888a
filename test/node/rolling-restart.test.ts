/**
 * A rolling restart behind nginx, as README's deployment section describes
 * it: two server processes on one Redis, the shipped nginx config in front.
 * Readers stream a channel that gets an event every few milliseconds while
 * process A is sent SIGTERM (it drains: each of its streams is told when to
 * come back, within the window) and started again, then B. The readers are
 * bare EventSources — they know nothing of cometkit but `retry:` and
 * `Last-Event-ID` — and each one receives every event exactly once, in order.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { CometEvent } from '../../src/protocol/messages.js';
import { uniqueChannel, until } from '../support/node-server.js';
import { bareEventSource, type BareEventSource } from '../support/scale/bare-event-source.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startCluster, type TestCluster } from '../support/scale/cluster.js';
import { positionOf } from '../support/frames.js';

const { skip } = scaleOutBinaries(['redis-server', 'nginx', 'openssl']);
const READERS = 24;

describe('rolling restart behind nginx', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ processes: 2, heartbeatMs: 1000, env: { COMET_DRAIN_WINDOW_MS: '2000' } });
  });
  after(() => cluster?.close());

  it('A then B drained and restarted while events flow: every reader gets every event once, in order', async () => {
    const channel = uniqueChannel('rolling');
    const readers: BareEventSource[] = Array.from({ length: READERS }, () => bareEventSource(`${cluster.url}/sse?ch=${channel}`));
    const published: CometEvent[] = [];
    let publishing = true;
    try {
      await until(() => readers.every((reader) => reader.hellos === 1), 20_000, 'every reader\'s hello');
      const perProcess = await cluster.streams(channel);
      assert.ok(perProcess.every((count) => count > 0), `nginx spread the readers over both processes: ${perProcess.join(', ')}`);

      // Steady publishing through whichever process runs, until both restarts are over (bounded by them).
      const publisher = (async () => {
        let n = 0;
        while (publishing) {
          published.push(...(await cluster.publish([{ channel, data: { n: n++ } }])));
          await sleep(10);
        }
      })();
      await until(() => published.length >= 20, 10_000, 'the first events');
      const [a, b] = cluster.processes as [TestCluster['processes'][0], TestCluster['processes'][0]];
      await cluster.restart(a);
      // B goes only once A's readers are back (on B, or on the restarted A), as a rolling deploy waits for health.
      await everyReaderHeld(cluster, channel);
      await cluster.restart(b);
      publishing = false;
      await publisher;
      const last = published.at(-1)!;
      await until(() => readers.every((reader) => reader.events.at(-1)?.id === last.id), 30_000, 'every reader to reach the last event');

      const expected = published.map((event) => event.id);
      for (const [index, reader] of readers.entries()) {
        assert.deepEqual(reader.events.map((event) => event.id), expected, `reader ${index}: every event once, in order`);
      }
      // Each reader's process was drained once: it was told when to come back (retry:), and came back.
      const told = readers.map((reader) => reader.reconnects);
      assert.ok(told.every((count) => count >= 1), `every reader was told to reconnect at least once: ${told.join(', ')}`);
      assert.deepEqual(readers.map((reader) => reader.failures), readers.map(() => 0), 'no refusal, no cut: a bare EventSource would have given up on none');
      // Positions only move forward per reader (nothing replayed twice across a reconnect).
      for (const reader of readers) {
        const seqs = reader.events.map((event) => positionOf(event.id).seq);
        assert.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!));
      }
    } finally {
      publishing = false;
      for (const reader of readers) reader.stop();
    }
  });
});

/** Waits until the processes hold a stream for every reader again (30 s at most). */
async function everyReaderHeld(cluster: TestCluster, channel: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const held = (await cluster.streams(channel)).reduce((sum, count) => sum + count, 0);
    if (held === READERS) return;
    if (Date.now() > deadline) throw new Error(`only ${held} of ${READERS} readers came back within 30 s`);
    await sleep(50);
  }
}
