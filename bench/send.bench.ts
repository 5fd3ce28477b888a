/**
 * Sends, measured in Chromium against the reference server: 300 sequential
 * `client.send()` calls, each timed to its acknowledgement and to its
 * arrival on the sender's own subscription. The baseline, in the same page
 * and run, is a bare `fetch` POST to `/publish` with the publish key (no
 * token, rate limit, hook or idempotency key) and its arrival on a bare
 * EventSource. A third row times sends repeated under one key (replays).
 */
import { launchChromium } from './support/browser.js';
import { startBenchServer } from './support/server.js';
import { printTable, summary } from './support/stats.js';

const SENDS = 300;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>send bench</title>
<script type="module">
  const { createClient } = await import('/dist/cometkit.js');
  const now = () => performance.now();
  const SENDS = ${SENDS};
  /** Arrival times by event id; a waiter registered first is resolved on arrival. */
  function arrivals() {
    const seen = new Map();
    return {
      arrive(id) { const waiter = seen.get(id); seen.set(id, now()); if (typeof waiter === 'function') waiter(now()); },
      when(id) { const at = seen.get(id); return typeof at === 'number' ? Promise.resolve(at) : new Promise((resolve) => seen.set(id, resolve)); },
    };
  }
  let runs = 0;
  window.runSends = async (channel) => {
    const client = createClient({ url: '/comet', host: 'single-tab', hub: 'bench-send-' + ++runs, transports: ['sse'] });
    const own = arrivals();
    await client.subscribe(channel, (event) => own.arrive(event.id)).ready;
    const ack = [], delivered = [], replay = [];
    for (let i = 0; i < SENDS; i++) {
      const start = now();
      const event = await client.send(channel, { i });
      ack.push(now() - start);
      delivered.push((await own.when(event.id)) - start);
    }
    for (let i = 0; i < SENDS; i++) {
      const start = now();
      await client.send(channel, { replay: true }, { key: 'bench-replayed-key-' + runs });
      replay.push(now() - start);
    }
    client.close();
    return { ack, delivered, replay };
  };
  window.runBaseline = async (channel) => {
    const source = new EventSource('/comet/sse?ch=' + encodeURIComponent(channel));
    const own = arrivals();
    await new Promise((resolve) => source.addEventListener('hello', resolve, { once: true }));
    source.onmessage = (message) => own.arrive(JSON.parse(message.data).id);
    const ack = [], delivered = [];
    for (let i = 0; i < SENDS; i++) {
      const start = now();
      const response = await fetch('/comet/publish', { method: 'POST', headers: { Authorization: 'Bearer bench', 'Content-Type': 'application/json' }, body: JSON.stringify({ channel, data: { i } }) });
      const { id } = await response.json();
      ack.push(now() - start);
      delivered.push((await own.when(id)) - start);
    }
    source.close();
    return { ack, delivered };
  };
  window.ready = true;
</script>`;

export default async function sendBench(): Promise<void> {
  const server = await startBenchServer({ send: { publicChannels: ['bench.*'], rate: { perSecond: 100_000, burst: 100_000 } } });
  server.page('/bench/send.html', PAGE);
  const browser = await launchChromium();
  try {
    const page = await (await browser.createBrowserContext()).newPage();
    await page.goto(`${server.origin}/bench/send.html`);
    await page.waitForFunction('window.ready === true', { timeout: 10_000 });
    // A first round of both warms the page, the server and the connection pool; the second is reported.
    for (let round = 0; round < 2; round += 1) {
      const baseline = (await page.evaluate((channel) => (window as unknown as { runBaseline(c: string): Promise<{ ack: number[]; delivered: number[] }> }).runBaseline(channel), `bench.baseline.${round}`)) as { ack: number[]; delivered: number[] };
      const sends = (await page.evaluate((channel) => (window as unknown as { runSends(c: string): Promise<{ ack: number[]; delivered: number[]; replay: number[] }> }).runSends(channel), `bench.sends.${round}`)) as {
        ack: number[];
        delivered: number[];
        replay: number[];
      };
      if (round === 0) continue;
      const row = (what: string, samples: number[]) => {
        const stats = summary(samples);
        return { what, n: stats.n, 'p50 ms': stats.p50, 'p95 ms': stats.p95, 'p99 ms': stats.p99, 'max ms': stats.max };
      };
      printTable(`client.send(): ${SENDS} sequential sends, Chromium, loopback`, [
        row('fetch POST /publish → answer (baseline)', baseline.ack),
        row('fetch POST /publish → on an EventSource (baseline)', baseline.delivered),
        row('client.send() → acknowledged', sends.ack),
        row('client.send() → on its own subscription', sends.delivered),
        row('client.send(), same key again → replayed answer', sends.replay),
      ]);
      const stored = await server.comet.broker.recent(`bench.sends.${round}`, 10_000);
      console.log(`stored on bench.sends: ${stored.length} events for ${SENDS} sends + ${SENDS} replays of one key`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
