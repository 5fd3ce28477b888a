/**
 * The chaos soak: three Chromium tabs sharing one leader-tab hub, on three
 * channels, behind nginx (TLS, HTTP/2) in front of three processes on
 * Redis, while events are published at a steady rate and faults are
 * injected: processes killed and restarted, streams cut, SSE stalled (the
 * transport steps down, then back up), tabs closed and opened, the leader
 * tab crashed, Redis restarted once. The publisher retries what is refused.
 *
 * Each tab's life is checked on its own: from the first event it received,
 * every acknowledged event of its channels exactly once and in order — up
 * to the last acknowledged event for tabs open at the end. Events stored
 * without an acknowledgement (a publish cut off mid-answer, then retried)
 * are counted apart: they are not acknowledged, so not owed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { staticFiles } from '../../../server/demo/static-files.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { comparePositions, parsePosition, type Position } from '../../../src/protocol/position.js';
import { CHROMIUM_FLAGS, findBrowser } from '../../../scripts/find-browsers.mjs';
import { startCluster, type TestCluster } from './cluster.js';
import { SOAK_PAGE } from './soak-page.js';

export interface SoakOptions {
  /** Events to publish in all. */
  readonly events: number;
  /** How long publishing lasts (ms); faults are spread over it. */
  readonly durationMs: number;
  /** Time between faults (ms). */
  readonly faultEveryMs: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly faults: Record<string, number>;
  readonly published: number;
  readonly delivered: number;
  readonly lost: number;
  readonly doubled: number;
  readonly outOfOrder: number;
  /** Stored but never acknowledged (a publish cut off and retried): not owed, reported. */
  readonly unacknowledged: number;
  readonly tabs: number;
  readonly worstDelayMs: number;
  readonly p99DelayMs: number;
  readonly transportDecisions: number;
  readonly refusedPublishes: number;
  /** One line per tab and channel that lost events: which, and around what. */
  readonly losses: readonly string[];
}

interface Tab {
  readonly page: Page;
  readonly channels: readonly string[];
  /** Filled when the tab is closed or at the end. */
  received?: Record<string, Array<[string, number]>>;
  decisions?: string[];
  openAtEnd: boolean;
  /** When its subscriptions were live (ms since the epoch): what is stored after is owed to it. */
  readonly readyAt: number;
}

const CHANNELS = ['soak.alpha', 'soak.beta', 'soak.gamma'];

export async function runChaosSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const executablePath = findBrowser('chromium');
  if (!executablePath) throw new Error('The soak needs Chromium: run `node scripts/find-browsers.mjs --install`.');
  const run = Math.random().toString(36).slice(2, 8);
  const channels = CHANNELS.map((name) => `${name}.${run}`);
  // Redis restarts with SIGTERM here, which flushes the append-only file: syncing it every second is enough.
  const cluster = await startCluster({ processes: 3, heartbeatMs: 1000, fsync: 'everysec' });
  const pages = await startPageServer();
  const browser: Browser = await puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS], acceptInsecureCerts: true });
  const faults: Record<string, number> = {};
  const fault = (name: string): void => {
    faults[name] = (faults[name] ?? 0) + 1;
  };
  /** Oldest first: Web Locks grant the leader lock in request order, so the oldest tab alive leads. */
  const tabs: Tab[] = [];
  let opened = 0;
  const acked: CometEvent[] = [];
  let refused = 0;

  const openTab = async (): Promise<Tab> => {
    const slot = opened++;
    const mine = [channels[slot % 3]!, channels[(slot + 1) % 3]!];
    const page = await browser.newPage();
    const query = new URLSearchParams({ url: cluster.url, hub: `soak-${run}` });
    for (const channel of mine) query.append('ch', channel);
    await page.goto(`${pages.origin}/soak.html?${query}`, { timeout: 20_000 });
    await page.waitForFunction('window.soak && window.soak.ready', { timeout: 30_000 });
    const tab: Tab = { page, channels: mine, openAtEnd: true, readyAt: Date.now() };
    tabs.push(tab);
    return tab;
  };
  const collect = async (tab: Tab): Promise<void> => {
    const state = (await tab.page.evaluate('({ received: window.soak.received, decisions: window.soak.decisions })')) as {
      received: Record<string, Array<[string, number]>>;
      decisions: string[];
    };
    tab.received = state.received;
    tab.decisions = state.decisions;
  };
  const living = (): Tab[] => tabs.filter((tab) => tab.openAtEnd);

  try {
    for (let i = 0; i < 3; i += 1) await openTab();
    log(`3 tabs open on ${cluster.url}`);

    // The publisher: a batch every 50 ms at a steady rate, each retried until acknowledged;
    // batches overlap (a slow answer does not hold the next one back), at most 8 at a time.
    const started = Date.now();
    const batches = Math.max(1, Math.round(options.durationMs / 50));
    const perBatch = Math.ceil(options.events / batches);
    let n = 0;
    const inFlight = new Set<Promise<void>>();
    const sendBatch = async (items: ReadonlyArray<{ channel: string; data: unknown }>): Promise<void> => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          acked.push(...(await cluster.publish(items, { retries: 0 })));
          break;
        } catch {
          refused += 1;
          if (attempt > 600) throw new Error('the publisher gave up: no process accepted a batch for 30 s');
          await sleep(50);
        }
      }
    };
    const publisher = (async () => {
      for (let batch = 0; n < options.events; batch += 1) {
        const due = started + batch * 50;
        if (due > Date.now()) await sleep(due - Date.now());
        while (inFlight.size >= 8) await Promise.race(inFlight);
        const items = [];
        for (let i = 0; i < perBatch && n < options.events; i += 1, n += 1) items.push({ channel: channels[n % 3]!, data: { n } });
        const sending = sendBatch(items).finally(() => inFlight.delete(sending));
        inFlight.add(sending);
      }
      await Promise.all(inFlight);
    })();

    // Faults, one every faultEveryMs, Redis once at the middle.
    let redisRestarted = false;
    const restarts: Array<Promise<void>> = [];
    const injectors: Record<string, () => Promise<void>> = {
      'leader tab crashed and a new one opened': async () => {
        const leader = living()[0];
        if (!leader) return;
        await collect(leader);
        leader.openAtEnd = false;
        const session = await leader.page.createCDPSession();
        // The renderer dies at once; the answer never comes (the target closes), so it is not awaited.
        void session.send('Page.crash').catch(() => undefined);
        await new Promise<void>((resolve) => leader.page.once('error', () => resolve()));
        await leader.page.close().catch(() => undefined);
        await openTab();
      },
      'process killed and restarted': async () => {
        const running = cluster.processes.filter((p) => p.running);
        if (running.length < 2) return;
        // Not awaited: the restart takes a while, and faults keep coming meanwhile.
        restarts.push(cluster.crash(running[Math.floor(Math.random() * running.length)]!, 300));
      },
      'streams cut': async () => {
        for (const p of cluster.processes) await cluster.control(p, '/control/disconnect');
      },
      'transport forced down (SSE stalled 4 s)': async () => {
        for (const p of cluster.processes) await cluster.control(p, '/control/stall-sse?ms=4000');
      },
      'tab closed and a new one opened': async () => {
        const followers = living().slice(1);
        const tab = followers[Math.floor(Math.random() * followers.length)];
        if (!tab) return;
        await collect(tab);
        tab.openAtEnd = false;
        await tab.page.close();
        await openTab();
      },
    };
    const names = Object.keys(injectors);
    const faultsDone = (async () => {
      let index = 0;
      while (Date.now() - started < options.durationMs - options.faultEveryMs) {
        await sleep(options.faultEveryMs);
        if (!redisRestarted && Date.now() - started > options.durationMs / 2) {
          redisRestarted = true;
          await cluster.redis.stop('SIGTERM');
          await sleep(1000);
          await cluster.redis.start();
          fault('Redis restarted');
          log(`${((Date.now() - started) / 1000).toFixed(1)} s: Redis restarted (${acked.length} acknowledged)`);
          continue;
        }
        const name = names[index++ % names.length]!;
        await injectors[name]!();
        fault(name);
        log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name} (${acked.length} acknowledged)`);
      }
    })();
    await Promise.all([publisher, faultsDone]);
    await Promise.all(restarts);
    log(`published ${acked.length} events in ${((Date.now() - started) / 1000).toFixed(1)} s, ${refused} refusals retried`);

    // Every open tab has the last acknowledged event of each of its channels, or the wait ends.
    const lastOf = new Map(channels.map((channel) => [channel, acked.filter((e) => e.channel === channel).at(-1)?.id]));
    const deadline = Date.now() + 30_000;
    for (const tab of living()) {
      const wanted = tab.channels.map((channel) => lastOf.get(channel));
      await tab.page
        .waitForFunction(
          (want: Array<[string, string | undefined]>) =>
            want.every(([channel, id]) => !id || (window as unknown as { soak: { received: Record<string, Array<[string]>> } }).soak.received[channel]!.some(([got]) => got === id)),
          { timeout: Math.max(1000, deadline - Date.now()), polling: 100 },
          tab.channels.map((channel, i) => [channel, wanted[i]] as [string, string | undefined]),
        )
        .catch(() => undefined);
      await collect(tab);
    }
    return check(tabs, acked, channels, faults, refused);
  } finally {
    await browser.close().catch(() => undefined);
    await pages.close();
    await cluster.close();
  }
}

function check(tabs: readonly Tab[], acked: readonly CometEvent[], channels: readonly string[], faults: Record<string, number>, refused: number): SoakReport {
  const order = new Map<string, string[]>(channels.map((channel) => [channel, []]));
  const time = new Map<string, number>();
  for (const event of acked) {
    order.get(event.channel)!.push(event.id);
    time.set(event.id, event.time);
  }
  // Acknowledgements of concurrent batches may come back out of seq order: the channel's order is its seq.
  const position = (id: string): Position => parsePosition(id) ?? { epoch: '', seq: NaN };
  for (const ids of order.values()) ids.sort((a, b) => comparePositions(position(a), position(b)));
  let lost = 0;
  let doubled = 0;
  let outOfOrder = 0;
  let unacknowledged = 0;
  let delivered = 0;
  let decisions = 0;
  const delays: number[] = [];
  const losses: string[] = [];
  for (const [slot, tab] of tabs.entries()) {
    decisions += tab.decisions?.length ?? 0;
    for (const channel of tab.channels) {
      const got = tab.received?.[channel] ?? [];
      delivered += got.length;
      const expected = order.get(channel)!;
      const index = new Map(expected.map((id, i) => [id, i]));
      const ackedGot = got.filter(([id]) => index.has(id));
      unacknowledged += got.length - ackedGot.length;
      const ids = ackedGot.map(([id]) => id);
      doubled += ids.length - new Set(ids).size;
      for (let i = 1; i < ids.length; i += 1) if (index.get(ids[i]!)! <= index.get(ids[i - 1]!)!) outOfOrder += 1;
      if (ids.length === 0) {
        // Nothing received: owed only what was stored after its subscriptions were live (a tab
        // opened after the last event is owed nothing).
        const owed = tab.openAtEnd ? expected.filter((id) => time.get(id)! > tab.readyAt).length : 0;
        lost += owed;
        if (owed > 0) losses.push(`tab ${slot} (open at the end) ${channel}: received nothing of the ${owed} events stored after it was ready`);
        continue;
      }
      const first = Math.min(...ids.map((id) => index.get(id)!));
      const last = tab.openAtEnd ? expected.length - 1 : Math.max(...ids.map((id) => index.get(id)!));
      const seen = new Set(ids);
      const missing = expected.slice(first, last + 1).filter((id) => !seen.has(id));
      lost += missing.length;
      if (missing.length > 0) {
        // A tail never received (the tab was still behind when the wait ended) reads differently from a hole.
        const lastGot = Math.max(...ids.map((id) => index.get(id)!));
        const tail = missing.filter((id) => index.get(id)! > lastGot).length;
        losses.push(
          `tab ${slot} (${tab.openAtEnd ? 'open at the end' : 'closed'}) ${channel}: ${missing.length} missing (${tail} at the end), first ${missing[0]}; decisions: ${tab.decisions?.join(' ') || 'none'}`,
        );
      }
      for (const [id, at] of ackedGot) delays.push(at - time.get(id)!);
    }
  }
  delays.sort((a, b) => a - b);
  return {
    faults,
    published: acked.length,
    delivered,
    lost,
    doubled,
    outOfOrder,
    unacknowledged,
    tabs: tabs.length,
    worstDelayMs: Math.round(delays.at(-1) ?? 0),
    p99DelayMs: Math.round(delays[Math.floor(delays.length * 0.99)] ?? 0),
    transportDecisions: decisions,
    refusedPublishes: refused,
    losses,
  };
}

async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const dist = staticFiles({ '/dist/': fileURLToPath(new URL('../../../dist/', import.meta.url)) });
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/soak.html')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(SOAK_PAGE);
      return;
    }
    void dist(req, res).then((served) => {
      if (served) return;
      res.writeHead(404);
      res.end(`${req.url} not found: run \`npm run build\` first.`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The report as the lines `npm run soak` prints. */
export function formatSoakReport(report: SoakReport): string {
  const faults = Object.entries(report.faults).map(([name, count]) => `  ${count} × ${name}`);
  return [
    `faults injected: ${Object.values(report.faults).reduce((a, b) => a + b, 0)}`,
    ...faults,
    `events acknowledged: ${report.published} (publishes refused and retried: ${report.refusedPublishes})`,
    `tabs (over the run): ${report.tabs}; deliveries: ${report.delivered}; transport decisions: ${report.transportDecisions}`,
    `lost: ${report.lost}   doubled: ${report.doubled}   out of order: ${report.outOfOrder}   stored unacknowledged: ${report.unacknowledged}`,
    `delay publish → handler: worst ${report.worstDelayMs} ms, p99 ${report.p99DelayMs} ms`,
    ...report.losses,
  ].join('\n');
}
