/**
 * Opens "tabs" for hub tests as same-origin iframes of the test page. An
 * iframe is a full document with its own client, tab lock and lifetime;
 * removing it ends that document the way closing a tab does, and the
 * browser releases its Web Locks. Iframes were chosen over window.open:
 * no popup blocking, no focus games, and they work alike in every engine
 * under the test runner.
 */
import { waitFor } from '../../support/env.js';
import type { CometTab, ReceivedEvent, TabConfig } from './fixtures/tab.js';

export type { CometTab, ReceivedEvent, TabConfig };

export interface TestTab {
  readonly name: string;
  readonly frame: HTMLIFrameElement;
  readonly tab: CometTab;
  /** Removes the page, ending its document (and releasing its locks). */
  close(): void;
}

const fixture = new URL('./fixtures/tab.html', import.meta.url);
export const hubWorkerUrl = new URL('./fixtures/hub-worker.ts', import.meta.url).href;
export const otherReleaseWorkerUrl = new URL('./fixtures/other-release-worker.ts', import.meta.url).href;

export async function openTab(name: string, config: TabConfig): Promise<TestTab> {
  const frame = document.createElement('iframe');
  frame.title = name;
  const url = new URL(fixture);
  url.searchParams.set('config', JSON.stringify(config));
  frame.src = url.href;
  document.body.append(frame);
  try {
    await waitFor(() => frame.contentWindow?.cometTab !== undefined, 5000, `${name} to load`);
  } catch (error) {
    const doc = frame.contentDocument;
    throw new Error(`${(error as Error).message} (${doc?.location.href}, ${doc?.readyState}, ${doc?.documentElement.outerHTML.slice(0, 300)})`);
  }
  const tab = frame.contentWindow!.cometTab!;
  return { name, frame, tab, close: () => frame.remove() };
}

/** Opens tabs one after the other, so that they queue for leadership in this order. */
export async function openTabs(count: number, config: (index: number) => TabConfig): Promise<TestTab[]> {
  const tabs: TestTab[] = [];
  for (let i = 0; i < count; i++) {
    const tab = await openTab(`tab ${i}`, config(i));
    await tab.tab.ready;
    tabs.push(tab);
  }
  return tabs;
}

export function ids(events: readonly ReceivedEvent[], channel?: string): string[] {
  return events.filter((event) => channel === undefined || event.channel === channel).map((event) => event.id);
}
