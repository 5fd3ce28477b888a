import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PauseDetector } from '../../src/upstream/pause-detector.js';

/** Holds the event loop, as a suspended page or worker would: no timer runs meanwhile. */
function holdLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose, bounded by `ms`.
  }
}

describe('PauseDetector', () => {
  it('reports a frame that arrives while its timer is overdue', () => {
    const resumed: number[] = [];
    const detector = new PauseDetector((at) => resumed.push(at));
    try {
      detector.arm(Date.now(), 20, 50);
      detector.check(Date.now());
      assert.deepEqual(resumed, [], 'on time');
      holdLoop(150);
      const now = Date.now();
      detector.check(now);
      assert.deepEqual(resumed, [now]);
    } finally {
      detector.stop();
    }
  });

  it('reports a timer that runs late, when the loop gets to it before any frame', async () => {
    let resolve: (at: number) => void = () => {};
    const resumed = new Promise<number>((done) => (resolve = done));
    const detector = new PauseDetector((at) => resolve(at));
    try {
      const start = Date.now();
      detector.arm(start, 20, 50);
      holdLoop(150);
      assert.ok((await resumed) >= start + 150);
    } finally {
      detector.stop();
    }
  });

  it('stays quiet once stopped', () => {
    const resumed: number[] = [];
    const detector = new PauseDetector((at) => resumed.push(at));
    detector.arm(Date.now(), 20, 50);
    detector.stop();
    holdLoop(100);
    detector.check(Date.now());
    assert.deepEqual(resumed, []);
  });
});
