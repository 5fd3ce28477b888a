/**
 * One publish to 10,000 in-process readers, without sockets: what the
 * server spends between a broker handing out an event and the frames being
 * written, where reading the event's position is part of every step.
 *
 * 1. Polls: 10,000 feeds (`openFeed`, one per held poll) on one channel of a
 *    memory broker; each feed moves its own cursor per event.
 * 2. Held streams: 10,000 streams in 1,000 groups (each group reads the
 *    shared channel and one of its own), so the fan-out steps 1,000 group
 *    cursors per event and writes one shared Buffer per group.
 *
 * Each row: milliseconds from `publish()` to the last reader's write, per
 * event, over `EVENTS` events (median and p95), after `WARMUP` events.
 */
import { MemoryBroker } from '../server/broker/memory-broker.js';
import { Fanout, type StreamWriter } from '../server/stream/fanout.js';
import { openFeed, type Feed } from '../server/stream/feed.js';
import { sseFormat } from '../server/stream/sse-format.js';
import { printTable, summary } from './support/stats.js';

const READERS = 10_000;
const GROUPS = 1_000;
const WARMUP = 20;
const EVENTS = 200;

/** Resolves once `count` writes have happened since `arm` was called. */
function writeCounter(): { arm(count: number): Promise<void>; hit(): void } {
  let left = 0;
  let done: (() => void) | undefined;
  return {
    arm(count) {
      left = count;
      return new Promise((resolve) => (done = resolve));
    },
    hit() {
      left -= 1;
      if (left === 0) done?.();
    },
  };
}

async function timePublishes(broker: MemoryBroker, writes: ReturnType<typeof writeCounter>, expected: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + EVENTS; i += 1) {
    const arrived = writes.arm(expected);
    const started = performance.now();
    await broker.publish({ channel: 'shared', type: 'tick', data: { i } });
    await arrived;
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  return samples;
}

async function polls(): Promise<number[]> {
  const broker = new MemoryBroker({ epoch: 'bench' });
  const writes = writeCounter();
  const sink = { start() {}, gap() {}, event: () => writes.hit() };
  const feeds: Feed[] = [];
  for (let i = 0; i < READERS; i += 1) feeds.push(await openFeed(broker, ['shared'], new Map(), sink));
  const samples = await timePublishes(broker, writes, READERS);
  for (const feed of feeds) feed.close();
  await broker.close();
  return samples;
}

async function streams(): Promise<number[]> {
  const broker = new MemoryBroker({ epoch: 'bench' });
  const fanout = new Fanout(broker, { heartbeatMs: 3_600_000 });
  const writes = writeCounter();
  let live = false;
  const writer: StreamWriter = { closed: false, write: () => live && writes.hit(), close() {} };
  const members = [];
  for (let i = 0; i < READERS; i += 1) {
    const { membership, started } = fanout.join(['shared', `own-${i % GROUPS}`], new Map(), sseFormat, writer, {});
    await started;
    members.push(membership);
  }
  const { inStep, groups } = fanout.stats();
  if (inStep !== READERS || groups !== GROUPS) throw new Error(`expected ${READERS} streams in step in ${GROUPS} groups, got ${inStep} in ${groups}`);
  live = true;
  const samples = await timePublishes(broker, writes, READERS);
  for (const member of members) fanout.leave(member);
  await broker.close();
  return samples;
}

export default async function fanoutPositions(): Promise<void> {
  const rows = [];
  for (const [name, run] of [
    [`${READERS} polls (feeds), one channel`, polls],
    [`${READERS} streams in ${GROUPS} groups`, streams],
  ] as const) {
    const { p50, p95 } = summary(await run());
    rows.push({ readers: name, 'ms/publish p50': p50, 'ms/publish p95': p95 });
  }
  printTable(`One publish to ${READERS} in-process readers (${EVENTS} events)`, rows);
}
