/**
 * One connection per browser, measured in Chromium against the reference
 * server:
 *
 * 1. Server-side stream count for 1, 5 and 10 tabs of one site: cometkit
 *    through the SharedWorker, cometkit through a leader tab, and a naive
 *    page with one EventSource per tab (the baseline, same run).
 * 2. Publish → handler latency through the SharedWorker, through a leader
 *    tab (the hub in another tab), with the hub in the page itself, and with
 *    a bare EventSource in the page: the cost of each extra hop.
 * 3. Leader handover: the time from closing the leader tab to the first
 *    event a follower receives from the new leader's stream, with the count
 *    of events lost or doubled across it.
 *
 * Publish times are taken in Node and handler times in the page, both on
 * this machine's wall clock (performance.timeOrigin + now()).
 */
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './support/browser.js';
import { startBenchServer, type BenchServer } from './support/server.js';
import { printTable, summary } from './support/stats.js';

const LATENCY_EVENTS = 400;
const LATENCY_SPACING_MS = 5;

/** Everything a bench page does, configured from its query string. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>hub bench</title>
<script type="module">
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode');
  const channel = params.get('ch');
  const now = () => performance.timeOrigin + performance.now();
  const bench = (window.bench = { ready: false, latencies: [], received: [] });
  const record = (data, id) => {
    bench.latencies.push(now() - data.sent);
    bench.received.push(id);
  };
  if (mode === 'naive') {
    const source = new EventSource('/comet/sse?ch=' + encodeURIComponent(channel));
    source.addEventListener('hello', () => (bench.ready = true));
    source.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      record(frame.data, frame.id);
    };
  } else {
    const { createClient } = await import('/dist/cometkit.js');
    const options = { url: '/comet', hub: params.get('hub') };
    if (mode === 'shared-worker') options.workerUrl = '/dist/worker.js';
    else options.host = mode;
    const client = (bench.client = createClient(options));
    const subscription = client.subscribe(channel, (event) => record(event.data, event.id));
    subscription.ready.then(() => (bench.ready = true));
  }
</script>`;

type Mode = 'shared-worker' | 'leader-tab' | 'single-tab' | 'naive';

let run = 0;

async function openTabs(browser: Browser, server: BenchServer, mode: Mode, count: number, channel: string, hub: string): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await browser.newPage();
    pages.push(page);
    const loading = page.goto(`${server.origin}/bench/hub.html?mode=${mode}&ch=${channel}&hub=${hub}`, { timeout: 10_000 });
    // Naive tabs past the sixth connection per origin cannot even load the page (HTTP/1.1): not awaited.
    if (mode === 'naive') loading.catch(() => {});
    else await loading;
  }
  return pages;
}

async function waitReady(pages: readonly Page[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let ready = 0;
  while (Date.now() < deadline) {
    ready = 0;
    for (const page of pages) {
      // A page still navigating (a stalled naive tab) has no context to ask yet: not ready.
      // (Evaluating in a page whose navigation is stalled waits for a context that never comes: bounded.)
      const isReady = await Promise.race([
        page.evaluate(() => (window as unknown as { bench?: { ready: boolean } }).bench?.ready === true).catch(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200)),
      ]);
      if (isReady) ready += 1;
    }
    if (ready === pages.length) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ready;
}

async function settle(server: BenchServer, expected: number): Promise<number> {
  // Superseded streams need a moment to be seen closed by the server.
  const deadline = Date.now() + 2000;
  while (server.comet.stats().streams > expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return server.comet.stats().streams;
}

async function closeAll(pages: readonly Page[], server: BenchServer): Promise<void> {
  // Closing a page whose navigation is stalled can take long: not waited for beyond a second.
  for (const page of pages) await Promise.race([page.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000))]);
  const deadline = Date.now() + 5000;
  while (server.comet.stats().streams > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function connectionCounts(browser: Browser, server: BenchServer): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const tabs of [1, 5, 10]) {
    const row: Record<string, string | number> = { tabs };
    for (const mode of ['shared-worker', 'leader-tab', 'naive'] as const) {
      run += 1;
      const channel = `bench.count.${run}`;
      const pages = await openTabs(browser, server, mode, tabs, channel, `count${run}`);
      // A naive page past the browser's six connections per origin never opens: it stalls.
      const ready = await waitReady(pages, mode === 'naive' ? 3000 : 15_000);
      const streams = mode === 'naive' ? server.comet.stats().streams : await settle(server, 1);
      row[`${mode} streams`] = streams;
      row[`${mode} tabs live`] = `${ready}/${tabs}`;
      await closeAll(pages, server);
    }
    rows.push(row);
  }
  printTable('Upstream streams the server holds, per number of tabs (Chromium, HTTP/1.1)', rows);
}

async function latency(browser: Browser, server: BenchServer): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const mode of ['shared-worker', 'leader-tab', 'single-tab', 'naive'] as const) {
    run += 1;
    const channel = `bench.latency.${run}`;
    // Leader-tab: measured in the second tab, so each event crosses from the leader's hub over BroadcastChannel.
    const pages = await openTabs(browser, server, mode, mode === 'leader-tab' ? 2 : 1, channel, `latency${run}`);
    await waitReady(pages, 15_000);
    const measured = pages.at(-1)!;
    for (let i = 0; i < 50; i++) await server.comet.publish(channel, { sent: performance.timeOrigin + performance.now(), warmUp: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await measured.evaluate(() => {
      const bench = (window as unknown as { bench: { latencies: number[] } }).bench;
      bench.latencies.length = 0;
    });
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      await server.comet.publish(channel, { sent: performance.timeOrigin + performance.now() });
      await new Promise((resolve) => setTimeout(resolve, LATENCY_SPACING_MS));
    }
    const deadline = Date.now() + 5000;
    let latencies: number[] = [];
    while (Date.now() < deadline) {
      latencies = await measured.evaluate(() => (window as unknown as { bench: { latencies: number[] } }).bench.latencies);
      if (latencies.length >= LATENCY_EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const s = summary(latencies);
    const label = {
      'shared-worker': 'cometkit, hub in SharedWorker',
      'leader-tab': 'cometkit, hub in another (leader) tab',
      'single-tab': 'cometkit, hub in this page',
      naive: 'bare EventSource in this page',
    }[mode];
    rows.push({ path: label, events: s.n, 'p50 ms': s.p50, 'p95 ms': s.p95, 'p99 ms': s.p99, 'max ms': s.max });
    await closeAll(pages, server);
  }
  printTable(`Publish → handler latency (${LATENCY_EVENTS} events, one every ~${LATENCY_SPACING_MS} ms)`, rows);
}

async function handover(browser: Browser, server: BenchServer): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    run += 1;
    const channel = `bench.handover.${run}`;
    const pages = await openTabs(browser, server, 'leader-tab', 3, channel, `handover${run}`);
    await waitReady(pages, 15_000);
    const [leader, follower] = pages as [Page, Page, Page];
    // A steady feed, one event every 5 ms, while the leader goes.
    let publishing = true;
    const published: string[] = [];
    const feed = (async () => {
      while (publishing) {
        published.push((await server.comet.publish(channel, { sent: performance.timeOrigin + performance.now() })).id);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await follower.evaluate(() => (window as unknown as { bench: { received: string[] } }).bench.received.length);
    await leader.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    publishing = false;
    await feed;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { received, arrivals } = await follower.evaluate(() => {
      const bench = (window as unknown as { bench: { received: string[]; latencies: number[] } }).bench;
      return { received: bench.received, arrivals: bench.latencies };
    });
    // The longest latency after the close is the event that waited out the handover.
    const after = arrivals.slice(before);
    const worst = after.length > 0 ? Math.max(...after) : Number.NaN;
    const lost = published.filter((id) => !received.includes(id)).length;
    const doubled = received.length - new Set(received).size;
    rows.push({ attempt, 'events published': published.length, lost, doubled, 'worst publish→handler ms across the handover': worst });
    await closeAll(pages.slice(1), server);
  }
  printTable('Leader-tab handover: the leader tab closes while events flow (3 tabs)', rows);
}

export default async function hubBench(): Promise<void> {
  const server = await startBenchServer({ heartbeatMs: 15_000 });
  server.page('/bench/hub.html', PAGE);
  try {
    // A browser per part: the stalled naive tabs of the first must not weigh on the others.
    for (const part of [connectionCounts, latency, handover]) {
      const browser = await launchChromium();
      const started = performance.now();
      try {
        await part(browser, server);
      } finally {
        console.error(`(${part.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
        await browser.close().catch(() => {});
      }
    }
  } finally {
    await server.close();
  }
}
