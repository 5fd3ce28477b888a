/**
 * The widget under load, in Chromium against the reference server:
 *
 * 1. 1,000 events/s for 10 s into one `<comet-feed>` (limit 1,000, then
 *    10,000): events the element did not receive (must be 0), the longest
 *    main-thread task (Long Tasks API, which reports tasks of 50 ms and
 *    more), the longest gap between animation frames, the JS heap at the end
 *    after a forced GC, and how many item elements are in the DOM. Baseline
 *    in the same run: a page with a bare EventSource appending one `<li>`
 *    per event (and dropping the oldest past the limit).
 * 2. Bundle sizes: the components with Lit and the client, as the script
 *    tag ships them (dist/cometkit.iife.js), the ESM components entry
 *    without Lit (dist/components.js), and an esbuild bundle of
 *    components/index.ts with everything inlined; min + gzip -9 and brotli -11.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from './support/browser.js';
import { startBenchServer, type BenchServer } from './support/server.js';
import { printTable } from './support/stats.js';

const RATE_PER_SECOND = 1000;
const SECONDS = 10;
const TICK_MS = 10;

const probe = `
  const bench = (window.bench = { received: 0, ready: false, longTasks: [], frameGaps: [] });
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) bench.longTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  const frame = (now) => { bench.frameGaps.push(now - last); last = now; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
`;

const FEED_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>feed bench</title>
<script src="/dist/cometkit.iife.js"></script>
<body>
<script>
  ${probe}
  const params = new URLSearchParams(location.search);
  document.body.innerHTML = '<comet-connection url="/comet"><comet-feed style="--comet-feed-height: 600px"></comet-feed></comet-connection>';
  const feed = document.querySelector('comet-feed');
  feed.limit = Number(params.get('limit'));
  feed.addEventListener('comet-feed-item', () => (bench.received += 1));
  feed.channel = params.get('ch');
  bench.items = () => feed.items.length;
  bench.domItems = () => feed.shadowRoot.querySelectorAll('[part~="item"]').length;
</script>`;

const NAIVE_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>naive feed</title>
<body><ol id="list" style="height: 600px; overflow: auto"></ol>
<script>
  ${probe}
  const params = new URLSearchParams(location.search);
  const limit = Number(params.get('limit'));
  const list = document.getElementById('list');
  const source = new EventSource('/comet/sse?ch=' + encodeURIComponent(params.get('ch')));
  source.addEventListener('hello', () => (bench.ready = true));
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const item = document.createElement('li');
    item.textContent = event.type + ' ' + JSON.stringify(event.data) + ' ' + new Date(event.time).toLocaleTimeString();
    list.prepend(item);
    if (list.childElementCount > limit) list.lastElementChild.remove();
    bench.received += 1;
  };
  bench.items = () => list.childElementCount;
  bench.domItems = () => list.childElementCount;
</script>`;

interface FeedRun {
  readonly page: string;
  readonly limit: number;
}

interface Probe {
  received: number;
  longTasks: number[];
  frameGaps: number[];
  items(): number;
  domItems(): number;
}

let run = 0;

async function feedUnderLoad(browser: Browser, server: BenchServer, { page: path, limit }: FeedRun): Promise<Record<string, string | number>> {
  run += 1;
  const channel = `bench.feed.${run}`;
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 800 });
  await page.goto(`${server.origin}${path}?ch=${channel}&limit=${limit}`);
  // Ready when the server holds the page's stream for the channel, and a beat later so the feed has read its (empty) history.
  const deadline = Date.now() + 10_000;
  while (server.comet.stats().streams < 1) {
    if (Date.now() > deadline) throw new Error('the bench page never opened its stream');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await page.evaluate(() => {
    const bench = (window as unknown as { bench: Probe }).bench;
    bench.longTasks.length = 0;
    bench.frameGaps.length = 0;
  });

  // Paced on the wall clock: each tick publishes whatever is due, so timer jitter does not lower the rate.
  const total = RATE_PER_SECOND * SECONDS;
  const started = performance.now();
  let published = 0;
  while (published < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE_PER_SECOND));
    for (; published < due; published += 1) void server.comet.publish(channel, { n: published, title: `Event ${published}` }, 'bench');
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  const publishSeconds = (performance.now() - started) / 1000;
  // Let the last events arrive: wait until the count stops moving.
  let received = -1;
  for (let stable = 0; stable < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await page.evaluate(() => (window as unknown as { bench: Probe }).bench.received);
    stable = now === received ? stable + 1 : 0;
    received = now;
  }
  const client = await page.createCDPSession();
  await client.send('HeapProfiler.collectGarbage');
  const metrics = await page.metrics();
  const result = await page.evaluate(() => {
    const bench = (window as unknown as { bench: Probe }).bench;
    return {
      longest: bench.longTasks.length ? Math.max(...bench.longTasks) : 0,
      longTasks: bench.longTasks.length,
      maxFrameGap: Math.max(...bench.frameGaps),
      items: bench.items(),
      domItems: bench.domItems(),
    };
  });
  await page.close();
  return {
    page: path === '/bench/feed.html' ? '<comet-feed>' : 'naive <li> per event',
    limit,
    'events/s': Math.round(total / publishSeconds),
    published: total,
    dropped: total - received,
    'items kept': result.items,
    'item nodes in DOM': result.domItems,
    'longest task ms': result.longTasks ? Math.round(result.longest) : '< 50',
    'tasks ≥ 50 ms': result.longTasks,
    'longest frame gap ms': Math.round(result.maxFrameGap),
    'JS heap MB': Number(((metrics.JSHeapUsedSize ?? 0) / 1024 / 1024).toFixed(1)),
  };
}

function sizes(name: string, content: Buffer | Uint8Array): Record<string, string | number> {
  const gzip = gzipSync(content, { level: 9 }).length;
  const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return { bundle: name, 'min bytes': content.length, 'min+gzip bytes': gzip, 'min+brotli bytes': brotli };
}

export default async function componentsBench(): Promise<void> {
  const server = await startBenchServer();
  server.page('/bench/feed.html', FEED_PAGE);
  server.page('/bench/naive-feed.html', NAIVE_PAGE);
  const browser = await launchChromium();
  try {
    const rows = [];
    for (const run of [
      { page: '/bench/feed.html', limit: 1000 },
      { page: '/bench/naive-feed.html', limit: 1000 },
      { page: '/bench/feed.html', limit: 10_000 },
      { page: '/bench/naive-feed.html', limit: 10_000 },
    ]) {
      rows.push(await feedUnderLoad(browser, server, run));
    }
    printTable(`<comet-feed> under ${RATE_PER_SECOND} events/s for ${SECONDS} s (Chromium)`, rows);
  } finally {
    await browser.close();
    await server.close();
  }

  const inlined = await build({
    entryPoints: ['components/index.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    define: { __DEV__: 'false' },
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  printTable('Components bundle size', [
    sizes('dist/cometkit.iife.js (script tag: components + client + Lit)', readFileSync(join('dist', 'cometkit.iife.js'))),
    sizes('components/index.ts, everything inlined (esbuild)', inlined.outputFiles[0]!.contents),
    sizes('dist/components.js (ESM, Lit external)', readFileSync(join('dist', 'components.js'))),
  ]);
}
