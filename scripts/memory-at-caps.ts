/**
 * What each byte cap of the reference server costs in real memory: fills one
 * cap at a time, in a fresh process, and prints the heap after a full
 * collection and the resident set (now and at its peak) against the bytes
 * the cap counts. The caps count event JSON; the process also holds each
 * event's parsed data, the objects around it and V8's slack, so the figure
 * to provision is a multiple of the cap (PROTOCOL.md, Limits).
 *
 *   node --expose-gc --import tsx scripts/memory-at-caps.ts          every case
 *   node --expose-gc --import tsx scripts/memory-at-caps.ts history  one case
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryBroker } from '../server/broker/memory-broker.js';
import { createCometServer } from '../server/comet-server.js';
import { MemoryInboxStore } from '../server/inbox/memory-inbox-store.js';
import { MemoryIdempotencyStore } from '../server/send/idempotency-store.js';

const MiB = 1024 * 1024;

interface Figures {
  readonly case: string;
  readonly capMiB: number;
  readonly countedMiB: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
}

/** Each case fills one cap (and goes on past it by a tenth, so eviction runs) with data of `size` bytes per item. */
const CASES: Record<string, (size: number) => Promise<{ capMiB: number; counted: () => number; keep: unknown }>> = {
  // maxHistoryBytes, 64 MiB by default, over 1000 channels of up to historySize (1000) events.
  async history(size) {
    const comet = createCometServer({ browserFiles: false });
    const broker = comet.broker as MemoryBroker;
    const text = 'x'.repeat(size);
    const cap = 64 * MiB;
    let published = 0;
    for (let i = 0; broker.historyBytes < cap || published < (cap / size) * 1.1; i += 1) {
      await comet.publish(`caps.${i % 1000}`, { text, n: i });
      published += size;
    }
    return { capMiB: 64, counted: () => broker.historyBytes, keep: comet };
  },
  // send.idempotency.maxBytes, 16 MiB by default: the answers kept for retried sends.
  async idempotency(size) {
    const store = new MemoryIdempotencyStore({ maxKeys: 10_000_000 });
    // The events come from a broker that keeps no history of its own: the store is all that holds them.
    const source = new MemoryBroker({ historySize: 1 });
    const text = 'x'.repeat(size);
    const cap = 16 * MiB;
    let claimed = 0;
    for (let i = 0; claimed < cap * 1.1; i += 1) {
      const event = await source.publish({ channel: 'caps', type: 'message', data: { text, n: i } });
      await store.claim(`user-${i % 1000}:key-${i}`, { fingerprint: `${i}`.padStart(43, '0'), event: Promise.resolve(event) }, Date.now());
      claimed += size;
    }
    await new Promise((resolve) => setImmediate(resolve));
    return { capMiB: 16, counted: () => store.bytes, keep: [store, source] };
  },
  // inbox.maxBytes, 64 MiB by default, over 10000 users; past it a notification gets 507.
  async inbox(size) {
    const store = new MemoryInboxStore();
    const comet = createCometServer({ browserFiles: false, inbox: { store } });
    const text = 'x'.repeat(size);
    for (let i = 0; ; i += 1) {
      try {
        await comet.inbox.notify(`user-${i % 10_000}`, { type: 'notice', data: { text, n: i } });
      } catch {
        break;
      }
    }
    return { capMiB: 64, counted: () => store.bytes, keep: comet };
  },
};

async function measure(name: string, size: number): Promise<Figures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const filled = await CASES[name]!(size);
  gc();
  gc();
  const heap = process.memoryUsage().heapUsed - baseline;
  const figures: Figures = {
    case: `${name}, ${size} B items`,
    capMiB: filled.capMiB,
    countedMiB: filled.counted() / MiB,
    heapMiB: heap / MiB,
    rssMiB: process.memoryUsage().rss / MiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  void filled.keep;
  return figures;
}

const [name, size] = process.argv.slice(2);
if (name && size) {
  console.log(JSON.stringify(await measure(name, Number(size))));
} else {
  const script = fileURLToPath(import.meta.url);
  const rows: Figures[] = [];
  for (const which of name ? [name] : Object.keys(CASES)) {
    for (const bytes of [100, 4096]) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, which, String(bytes)], { encoding: 'utf8', maxBuffer: MiB });
      rows.push(JSON.parse(out.trim().split('\n').at(-1)!) as Figures);
    }
  }
  console.log('| case | cap | counted | heap after GC | RSS after | RSS peak | heap / cap |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const f = (n: number): string => `${n.toFixed(0)} MiB`;
    console.log(`| ${r.case} | ${f(r.capMiB)} | ${f(r.countedMiB)} | ${f(r.heapMiB)} | ${f(r.rssMiB)} | ${f(r.peakRssMiB)} | ${(r.heapMiB / r.capMiB).toFixed(1)}× |`);
  }
}
