import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelloFrame } from '../../src/protocol/messages.js';
import { BeatMonitor } from '../../src/upstream/beat-monitor.js';

const INTERVAL = 15_000;
/** The server's clock runs 42 s ahead of the client's: only differences may matter. */
const SKEW = 42_000;
const hello = (serverTime: number): HelloFrame => ({ v: 1, time: serverTime, heartbeat: INTERVAL, cursor: '', transport: 'sse' });

describe('BeatMonitor', () => {
  it('finds nothing wrong with beats on time, whatever the clock offset and a steady latency', () => {
    const monitor = new BeatMonitor(hello(SKEW), 80);
    for (let i = 1; i <= 10; i++) {
      assert.equal(monitor.beat({ time: SKEW + i * INTERVAL }, i * INTERVAL + 80 + (i % 3) * 40), undefined, `beat ${i}`);
    }
  });

  it('calls beats written an interval apart but arriving together bunched, the second time it happens', () => {
    const monitor = new BeatMonitor(hello(SKEW), 30);
    assert.equal(monitor.beat({ time: SKEW + INTERVAL }, 2 * INTERVAL), undefined);
    // Once may be a starved event loop...
    assert.equal(monitor.beat({ time: SKEW + 2 * INTERVAL }, 2 * INTERVAL + 5), undefined);
    assert.equal(monitor.beat({ time: SKEW + 3 * INTERVAL }, 3 * INTERVAL + 30), undefined);
    // ...twice is a proxy.
    assert.equal(monitor.beat({ time: SKEW + 4 * INTERVAL }, 3 * INTERVAL + 35), 'heartbeats-bunched');
  });

  it('calls a hello and the beats behind it released together bunched', () => {
    const monitor = new BeatMonitor(hello(SKEW), 3 * INTERVAL);
    assert.equal(monitor.beat({ time: SKEW + INTERVAL }, 3 * INTERVAL + 2), undefined);
    assert.equal(monitor.beat({ time: SKEW + 2 * INTERVAL }, 3 * INTERVAL + 3), 'heartbeats-bunched');
  });

  it('calls beats more than an interval later than the fastest frame late, the second time', () => {
    const monitor = new BeatMonitor(hello(SKEW), 50);
    assert.equal(monitor.beat({ time: SKEW + INTERVAL }, INTERVAL + 50), undefined);
    assert.equal(monitor.beat({ time: SKEW + 2 * INTERVAL }, 3 * INTERVAL + 500), undefined);
    assert.equal(monitor.beat({ time: SKEW + 3 * INTERVAL }, 4 * INTERVAL + 9000), 'heartbeats-late');
  });

  it('calls live events late only after several arrive seconds behind, and never replayed ones', () => {
    const monitor = new BeatMonitor(hello(SKEW), 50);
    // Replayed: published long before the hello.
    for (let i = 0; i < 5; i++) assert.equal(monitor.event(SKEW - 60_000, 50), undefined);
    assert.equal(monitor.event(SKEW + 1000, 1060), undefined);
    assert.equal(monitor.event(SKEW + 2000, 9000), undefined);
    assert.equal(monitor.event(SKEW + 2100, 9000), undefined);
    assert.equal(monitor.event(SKEW + 2200, 9000), 'events-late');
  });
});

describe('BeatMonitor after a pause of this side', () => {
  it('does not count frames written while this side was paused, and judges the ones after it again', () => {
    const monitor = new BeatMonitor(hello(SKEW), 50);
    assert.equal(monitor.beat({ time: SKEW + INTERVAL }, INTERVAL + 50), undefined);
    // Paused from 1.1 to 5 intervals: three beats and three events queued meanwhile arrive together.
    monitor.resumed(5 * INTERVAL);
    for (let i = 2; i <= 4; i++) {
      assert.equal(monitor.beat({ time: SKEW + i * INTERVAL }, 5 * INTERVAL + i), undefined, `beat ${i}`);
      assert.equal(monitor.event(SKEW + i * INTERVAL + 10, 5 * INTERVAL + i), undefined, `event ${i}`);
    }
    // Written after the pause: judged as before; a proxy holding them is still found.
    assert.equal(monitor.beat({ time: SKEW + 6 * INTERVAL }, 6 * INTERVAL + 50), undefined);
    assert.equal(monitor.beat({ time: SKEW + 7 * INTERVAL }, 8 * INTERVAL + 500), undefined);
    assert.equal(monitor.beat({ time: SKEW + 8 * INTERVAL }, 9 * INTERVAL + 9000), 'heartbeats-late');
  });
});
