/**
 * The transports, measured in Chromium against the reference server:
 *
 * 1. Publish → handler latency for 1,000 events on each transport forced
 *    alone (sse, iframe, long-poll), with the baseline of a bare
 *    EventSource on the same server in the same run.
 * 2. Behind a buffering proxy (holds 16 KiB before passing anything on):
 *    the time from creating the client to the first event delivered, with
 *    the default settings (10 s hello deadline), and the decisions taken.
 *    The baseline is the same client straight to the server.
 *
 * Each client lives in a fresh browser context (no remembered downgrade)
 * and holds its hub in the page (`host: 'single-tab'`): the hub's own cost
 * is measured in hub.bench.ts. Publish times are taken in Node and handler
 * times in the page, on this machine's wall clock (timeOrigin + now()).
 */
import type { Browser, Page } from 'puppeteer-core';
import { startBufferingProxy } from '../test/support/proxies/buffering-proxy.js';
import { launchChromium } from './support/browser.js';
import { startBenchServer, type BenchServer } from './support/server.js';
import { printTable, summary } from './support/stats.js';

const LATENCY_EVENTS = 1000;
const LATENCY_SPACING_MS = 4;
const RECOVERY_RUNS = 2;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>transports bench</title>
<script type="module">
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode');
  const channel = params.get('ch');
  const url = params.get('url') || '/comet';
  const now = () => performance.timeOrigin + performance.now();
  const bench = (window.bench = { ready: false, latencies: [], arrivals: [], received: [], firstEventAt: 0, decisions: [], transport: null });
  const record = (data, id) => {
    if (!bench.firstEventAt) bench.firstEventAt = now();
    if (typeof data?.sent === 'number') {
      bench.latencies.push(now() - data.sent);
      bench.arrivals.push(now());
    }
    bench.received.push(id);
  };
  /** When delivery became prompt for good: the first event from which every one arrived within 1 s (10 at least). */
  bench.recoveredAt = () => {
    const { latencies, arrivals } = bench;
    for (let i = 0; i + 10 <= latencies.length; i++) {
      if (latencies.slice(i).every((ms) => ms < 1000)) return arrivals[i];
    }
    return 0;
  };
  if (mode === 'raw') {
    const source = new EventSource(url + '/sse?ch=' + encodeURIComponent(channel));
    source.addEventListener('hello', () => (bench.ready = true));
    source.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      record(frame.data, frame.id);
    };
  } else {
    const { createClient } = await import('/dist/cometkit.js');
    const options = { url, host: 'single-tab', hub: params.get('hub') };
    if (mode !== 'ladder') options.transports = [mode];
    const client = (bench.client = createClient(options));
    bench.createdAt = now();
    client.addEventListener('statechange', () => {
      bench.ready = client.state === 'open';
      bench.transport = client.transport ?? null;
    });
    client.addEventListener('transportdecision', (event) => {
      bench.decisions.push(event.decision.reason + '→' + event.decision.transport);
      bench.transport = client.transport ?? null;
    });
    client.subscribe(channel, (event) => record(event.data, event.id));
  }
</script>`;

let run = 0;

async function openPage(browser: Browser, server: BenchServer, mode: string, channel: string, url?: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  run += 1;
  const query = new URLSearchParams({ mode, ch: channel, hub: `bench-${run}`, ...(url ? { url } : {}) });
  await page.goto(`${server.origin}/bench/transports.html?${query}`, { timeout: 10_000 });
  return { page, close: () => context.close() };
}

async function until(page: Page, condition: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await page.evaluate(condition)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

async function latency(browser: Browser, server: BenchServer, mode: string): Promise<Record<string, string | number>> {
  const channel = `bench.latency.${mode}.${run}`;
  const { page, close } = await openPage(browser, server, mode, channel);
  try {
    if (!(await until(page, 'window.bench?.ready', 15_000))) throw new Error(`${mode}: never opened`);
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      await server.comet.publish(channel, { sent: performance.timeOrigin + performance.now(), i });
      await new Promise((resolve) => setTimeout(resolve, LATENCY_SPACING_MS));
    }
    await until(page, `window.bench.received.length >= ${LATENCY_EVENTS}`, 15_000);
    const { latencies, received } = await page.evaluate(() => {
      const bench = (window as unknown as { bench: { latencies: number[]; received: string[] } }).bench;
      return { latencies: bench.latencies, received: bench.received };
    });
    const stats = summary(latencies);
    return {
      transport: mode === 'raw' ? 'bare EventSource (baseline)' : mode,
      events: LATENCY_EVENTS,
      received: received.length,
      doubled: received.length - new Set(received).size,
      'p50 ms': stats.p50,
      'p95 ms': stats.p95,
      'p99 ms': stats.p99,
      'max ms': stats.max,
    };
  } finally {
    await close();
  }
}

/**
 * Creating a client → its first event, and → the moment delivery became
 * prompt for good (every event from then on under 1 s), with an event
 * published every 100 ms meanwhile.
 */
async function recovery(browser: Browser, server: BenchServer, url: string | undefined, label: string): Promise<Record<string, string | number>> {
  const channel = `bench.recovery.${run}`;
  const { page, close } = await openPage(browser, server, 'ladder', channel, url);
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      await server.comet.publish(channel, { sent: performance.timeOrigin + performance.now() });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const delivered = await until(page, 'window.bench.firstEventAt > 0', 45_000);
    // Prompt delivery must have lasted a while to count: 3 s of it, within a minute.
    const prompt =
      delivered &&
      (await until(
        page,
        // ...and events still arriving: a proxy holding the next burst would leave the tail prompt but stale.
        `(() => { const b = window.bench, t = performance.timeOrigin + performance.now();
           return b.recoveredAt() > 0 && t - b.recoveredAt() > 3000 && t - b.arrivals.at(-1) < 1000; })()`,
        60_000,
      ));
    const result = await page.evaluate(() => {
      const bench = (window as unknown as {
        bench: { createdAt: number; firstEventAt: number; recoveredAt(): number; decisions: string[]; transport: string | null };
      }).bench;
      return { first: bench.firstEventAt - bench.createdAt, prompt: bench.recoveredAt() - bench.createdAt, decisions: bench.decisions, transport: bench.transport };
    });
    return {
      path: label,
      'first event after (ms)': delivered ? Math.round(result.first) : 'none in 45 s',
      'prompt for good after (ms)': prompt ? Math.round(result.prompt) : 'not within 60 s',
      'ends on': result.transport ?? '—',
      decisions: result.decisions.join(', '),
    };
  } finally {
    publishing = false;
    await publisher;
    await close();
  }
}

export default async function transportsBench(): Promise<void> {
  const server = await startBenchServer();
  server.page('/bench/transports.html', PAGE);
  const proxy = await startBufferingProxy(server.origin, () => ({ mode: 'buffer', bytes: 16 * 1024 }));
  const browser = await launchChromium();
  try {
    const latencyRows = [];
    for (const mode of ['raw', 'sse', 'iframe', 'long-poll']) latencyRows.push(await latency(browser, server, mode));
    printTable(`Publish → handler latency, ${LATENCY_EVENTS} events one every ~${LATENCY_SPACING_MS} ms, Chromium`, latencyRows);

    const recoveryRows = [await recovery(browser, server, undefined, 'direct (baseline)')];
    for (let i = 0; i < RECOVERY_RUNS; i++) recoveryRows.push(await recovery(browser, server, `${proxy.url}/bench/comet`, `buffering proxy, run ${i + 1}`));
    printTable('Buffering proxy (16 KiB): client created → first event → every event under 1 s; default settings (hello deadline 10 s, heartbeat 15 s)', recoveryRows);
  } finally {
    await browser.close();
    await proxy.close();
    await server.close();
  }
}
