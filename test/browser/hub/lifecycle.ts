/**
 * Page lifecycle for hub tests: a "tab" in a window of its own (a real
 * top-level page with history, unlike the iframe tabs of tabs.ts), sent to
 * another page and back, or frozen and resumed.
 *
 * Going away and back is a real navigation with the back/forward cache
 * where the engine keeps pages in it under the test runner, checked once
 * per test page (`backForwardCache()`): WebKitGTK does. Headless Chromium
 * under puppeteer reports only a "masked" reason and reloads the page, and
 * Firefox under WebDriver BiDi reloads it too; there the same events a
 * cached page gets (`pagehide`/`pageshow` with `persisted`, `freeze`/`resume`)
 * are dispatched on the live page instead.
 */
import { waitFor } from '../../support/env.js';
import type { CometTab, TabConfig } from './tabs.js';

const fixture = new URL('./fixtures/tab.html', import.meta.url);
const away = new URL('./fixtures/away.html', import.meta.url).href;
const probe = new URL('./fixtures/bfcache-probe.html', import.meta.url);

export interface WindowTab {
  readonly win: Window;
  readonly tab: CometTab;
  close(): void;
}

declare global {
  interface Window {
    cometTab?: CometTab;
  }
}

export async function openWindowTab(name: string, config: TabConfig): Promise<WindowTab> {
  const url = new URL(fixture);
  url.searchParams.set('config', JSON.stringify(config));
  const win = window.open(url.href, `${name}-${Math.random().toString(36).slice(2)}`);
  if (!win) throw new Error('window.open() was refused: the runner must allow pop-ups.');
  // Generous: the first load compiles the fixture, on a machine other test runs share.
  await waitFor(() => win.cometTab !== undefined, 15_000, `${name} to load`);
  return { win, tab: win.cometTab!, close: () => win.close() };
}

export interface CacheSupport {
  readonly works: boolean;
  /** Why not, as the engine said (Chromium's notRestoredReasons), for the test's title. */
  readonly why: string;
}

let support: Promise<CacheSupport> | undefined;

/** Whether this engine restores a page from its back/forward cache under the test runner. */
export function backForwardCache(): Promise<CacheSupport> {
  support ??= (async () => {
    const id = Math.random().toString(36).slice(2);
    const reports: Array<{ persisted: boolean; reasons: string }> = [];
    const channel = new BroadcastChannel(`bfcache-probe:${id}`);
    channel.onmessage = (event) => reports.push(event.data as (typeof reports)[number]);
    const url = new URL(probe);
    url.searchParams.set('id', id);
    const win = window.open(url.href, `bfcache-probe-${id}`);
    try {
      await waitFor(() => reports.length >= 2, 10_000, 'the probe page to go away and come back');
    } finally {
      channel.close();
      win?.close();
    }
    const back = reports[1]!;
    if (back.persisted) return { works: true, why: '' };
    // Chromium's notRestoredReasons, flattened to the reason names.
    const names = [...back.reasons.matchAll(/"reason":"([^"]+)"/g)].map((match) => match[1]);
    return { works: false, why: `reloads the page${names.length > 0 ? ` (not restored: ${names.join(', ')})` : ''}` };
  })();
  return support;
}

/** Leaves the page: a real navigation when the engine caches pages, else the events a cached page gets. */
export async function goAway(tab: WindowTab, real: boolean): Promise<void> {
  const win = tab.win as Window & typeof globalThis;
  if (!real) {
    win.dispatchEvent(new win.PageTransitionEvent('pagehide', { persisted: true }));
    win.document.dispatchEvent(new win.Event('freeze'));
    return;
  }
  win.location.href = away;
  await waitFor(() => {
    try {
      return win.location.href === away && win.document.readyState === 'complete';
    } catch {
      return false;
    }
  }, 5000, 'the other page');
}

/** Comes back: `history.back()` (and checks the page was restored, not reloaded), or the events of a restore. */
export async function comeBack(tab: WindowTab, real: boolean): Promise<void> {
  const win = tab.win as Window & typeof globalThis;
  if (!real) {
    win.document.dispatchEvent(new win.Event('resume'));
    win.dispatchEvent(new win.PageTransitionEvent('pageshow', { persisted: true }));
    return;
  }
  const shows = tab.tab.pageshows.length;
  win.history.back();
  await waitFor(() => {
    try {
      return win.cometTab !== undefined && win.document.readyState === 'complete' && (win.cometTab !== tab.tab || tab.tab.pageshows.length > shows);
    } catch {
      return false;
    }
  }, 5000, 'the page to come back');
  if (win.cometTab !== tab.tab || tab.tab.pageshows.at(-1) !== true) {
    throw new Error('The page was loaded again instead of restored from the back/forward cache.');
  }
}
