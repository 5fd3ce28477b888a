import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelloFrame } from '../../src/protocol/messages.js';
import type { TransportName } from '../../src/protocol/transport-name.js';
import type { Transport, TransportSink } from '../../src/transports/transport.js';
import { TransportLadder, type LadderOptions, type LadderStorage, type TransportDecision } from '../../src/upstream/transport-ladder.js';
import { until } from '../support/node-server.js';

const ORIGIN = 'https://push.example';

function fake(name: TransportName, supported = true): Transport {
  return { name, isSupported: () => supported, open: () => ({ close() {} }) };
}

class MemoryStorage implements LadderStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const hello = (transport: TransportName, heartbeat = 1000): HelloFrame => ({ v: 1, time: Date.now(), heartbeat, cursor: '', transport });

function ladder(options: LadderOptions & { transports?: Transport[] } = {}) {
  const decisions: TransportDecision[] = [];
  const probes: Array<{ transport: TransportName; sink: TransportSink; closed: boolean }> = [];
  let switches = 0;
  const instance = new TransportLadder(options.transports ?? [fake('sse'), fake('iframe'), fake('long-poll')], ORIGIN, options, {
    helloTimeoutMs: 200,
    openProbe: async (transport, sink) => {
      const probe = { transport: transport.name, sink, closed: false };
      probes.push(probe);
      return { close: () => (probe.closed = true) };
    },
    switchNow: () => (switches += 1),
    decision: (decision) => decisions.push(decision),
  });
  return { ladder: instance, decisions, probes, switches: () => switches };
}

describe('transport ladder', () => {
  it('starts on the first supported transport and says which were skipped', () => {
    const { ladder: l, decisions } = ladder({ storage: null, transports: [fake('sse', false), fake('iframe'), fake('long-poll')] });
    assert.equal(l.current?.name, 'iframe');
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0]!.reason, 'initial');
    assert.match(decisions[0]!.detail, /not supported here: sse/);
  });

  it('steps down on a missing hello, and stays at the bottom', () => {
    const { ladder: l, decisions } = ladder({ storage: null });
    l.current;
    assert.equal(l.helloTimeout(200), true);
    assert.equal(l.current?.name, 'iframe');
    assert.equal(l.helloTimeout(200), true);
    assert.equal(l.current?.name, 'long-poll');
    assert.equal(l.helloTimeout(200), false, 'nothing below long-poll');
    assert.deepEqual(decisions.map((d) => [d.reason, d.previous, d.transport]), [
      ['initial', undefined, 'sse'],
      ['hello-timeout', 'sse', 'iframe'],
      ['hello-timeout', 'iframe', 'long-poll'],
    ]);
  });

  it('remembers a path downgrade once the lower transport says hello, and a new page starts there until it expires', async () => {
    const storage = new MemoryStorage();
    const first = ladder({ storage, rememberMs: 150 });
    first.ladder.current;
    first.ladder.helloTimeout(200);
    assert.equal(storage.items.size, 0, 'not remembered before the lower transport proved it works');
    first.ladder.opening();
    first.ladder.hello(hello('iframe'), Date.now());
    assert.equal(JSON.parse(storage.getItem(`cometkit:transport:${ORIGIN}`)!).transport, 'iframe');
    first.ladder.stop();

    const second = ladder({ storage, rememberMs: 150 });
    assert.equal(second.ladder.current?.name, 'iframe');
    assert.equal(second.decisions[0]!.reason, 'remembered');

    await until(() => Date.now() > JSON.parse(storage.getItem(`cometkit:transport:${ORIGIN}`)!).until, 1000, 'expiry');
    const third = ladder({ storage, rememberMs: 150 });
    assert.equal(third.ladder.current?.name, 'sse');
    assert.deepEqual(third.decisions.map((d) => d.reason), ['remembered-expired', 'initial']);
    assert.equal(storage.items.size, 0);
  });

  it('steps down after repeated failed opens, without remembering it (an outage is not a path)', () => {
    const storage = new MemoryStorage();
    const { ladder: l, decisions } = ladder({ storage });
    l.current;
    for (let i = 0; i < 2; i++) {
      l.opening();
      assert.equal(l.ended(Date.now()), false);
    }
    l.opening();
    assert.equal(l.ended(Date.now()), true);
    assert.equal(decisions.at(-1)!.reason, 'open-failures');
    l.opening();
    l.hello(hello('iframe'), Date.now());
    assert.equal(storage.items.size, 0);
    l.stop();
  });

  it('steps down after streams that keep ending right after their hello, not after long-lived ones', () => {
    const { ladder: l, decisions } = ladder({ storage: null, earlyCloseMs: 10_000 });
    l.current;
    const now = Date.now();
    for (let i = 0; i < 2; i++) {
      l.opening();
      l.hello(hello('sse'), now);
      assert.equal(l.ended(now + 20_000), false, 'a stream that lived 20 s is no strike');
    }
    for (let i = 0; i < 3; i++) {
      l.opening();
      l.hello(hello('sse'), now);
      assert.equal(l.ended(now + 500), i === 2);
    }
    assert.equal(decisions.at(-1)!.reason, 'early-closes');
    l.stop();
  });

  it('probes the better transport in the background and switches back only after its hello and two beats on time', async (t) => {
    const storage = new MemoryStorage();
    const { ladder: l, decisions, probes, switches } = ladder({ storage, reprobeMs: 10 });
    // Probes re-arm themselves: a failed assertion must not leave them running.
    t.after(() => l.stop());
    l.current;
    l.helloTimeout(200);
    l.helloTimeout(200);
    l.opening();
    l.hello(hello('long-poll'), Date.now());
    assert.equal(storage.items.size, 1);

    // First round: SSE stays silent, the iframe too; the connection stays on long-poll.
    await until(() => probes.length === 1, 1000, 'the SSE probe');
    assert.equal(probes[0]!.transport, 'sse');
    await until(() => probes.length === 2, 1000, 'the iframe probe after SSE failed');
    assert.equal(probes[0]!.closed, true);
    assert.equal(decisions.filter((d) => d.reason === 'probe-failed').length, 1);
    probes[1]!.sink.closed();
    assert.equal(l.current?.name, 'long-poll');
    assert.equal(switches(), 0);

    // Next round (after a doubled delay): SSE answers and beats on time.
    await until(() => probes.length === 3, 1000, 'the next SSE probe');
    const sink = probes[2]!.sink;
    // Beats exactly one interval apart, on a fake wall clock: "on time" does not depend on the machine's load.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    sink.hello(hello('sse', 50));
    t.mock.timers.tick(50);
    sink.heartbeat({ time: Date.now() });
    assert.equal(switches(), 0, 'one beat is not yet proof');
    t.mock.timers.tick(50);
    sink.heartbeat({ time: Date.now() });
    t.mock.timers.reset();
    assert.equal(switches(), 1, 'the switch, on the second beat on time');
    assert.equal(l.current?.name, 'sse');
    assert.equal(probes[2]!.closed, true);
    assert.deepEqual(decisions.at(-1), { ...decisions.at(-1)!, reason: 'probe-healthy', previous: 'long-poll', transport: 'sse', probed: 'sse' });
    assert.equal(storage.items.size, 0, 'back on the best transport, the memory is gone');
    l.stop();
  });

  describe('our own pauses are not the path', () => {
    // The server's default heartbeat: the pause detector's resolution must not follow it to 7.5 s.
    const BEAT_MS = 15_000;

    it("does not read the backlog a worker reads after a 10 s suspension (WebKit, its pages in the back/forward cache) as late events", (t) => {
      t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_000_000 });
      const { ladder: l, decisions } = ladder({ storage: null });
      l.current;
      l.opening();
      l.hello(hello('sse', BEAT_MS), Date.now());
      const suspended = Date.now();
      // Suspended: the wall clock moves on, no timer of ours runs; the server goes on writing.
      t.mock.timers.setTime(suspended + 10_000);
      for (let n = 1; n <= 5; n++) assert.equal(l.event(suspended + n * 1000, Date.now()), false, `event ${n}`);
      assert.equal(l.current?.name, 'sse');
      assert.deepEqual(decisions.map((d) => d.reason), ['initial']);
      l.stop();
    });

    it('still steps down for events that arrive late while our own timers run on time (a buffering proxy)', (t) => {
      t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_000_000 });
      const { ladder: l, decisions } = ladder({ storage: null });
      l.current;
      l.opening();
      l.hello(hello('sse', BEAT_MS), Date.now());
      let stepped = false;
      for (let n = 1; n <= 5 && !stepped; n++) {
        const published = Date.now();
        // Held 5 s by the path while this side's timers keep running (a second at a time, each timer on time).
        for (let second = 0; second < 5; second++) t.mock.timers.tick(1000);
        stepped = l.event(published, Date.now());
      }
      assert.equal(stepped, true);
      assert.equal(decisions.at(-1)!.reason, 'events-late');
      l.stop();
    });
  });
});
