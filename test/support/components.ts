/**
 * Helpers for component tests: mount an element inside a
 * `<comet-connection>` pointed at the harness, look into its shadow root
 * by part, and run axe on it.
 */
import 'axe-core';
import type { AxeResults, RunOptions } from 'axe-core';
import type { CometClient } from '../../src/client/client.js';
import { getTestServer, waitFor } from './env.js';

declare global {
  interface Window {
    axe: typeof import('axe-core');
  }
}

const mounted = new Set<Element>();

// [spec] A ResizeObserver callback that changes layout (as a virtualizer's
// does) makes the browser report "ResizeObserver loop completed with
// undelivered notifications" as an error event; the notifications are
// delivered next frame, nothing is lost, but mocha would fail the test.
window.addEventListener('error', (event) => {
  if (/ResizeObserver loop/.test(event.message)) event.stopImmediatePropagation();
});

/** Mounts `html` inside a connection to the harness (with `connection` attributes); removed by `cleanup()`. */
export function mount<T extends HTMLElement>(html: string, connection: Record<string, string> = {}, parent: Element = document.body): { connection: HTMLElement; element: T } {
  const wrapper = document.createElement('comet-connection');
  wrapper.setAttribute('url', getTestServer().comet);
  for (const [name, value] of Object.entries(connection)) wrapper.setAttribute(name, value);
  wrapper.innerHTML = html;
  parent.append(wrapper);
  mounted.add(wrapper);
  return { connection: wrapper, element: wrapper.firstElementChild as T };
}

/**
 * Resolves once `channel` is live on the client of a mounted element's
 * connection: events published from then on reach the element. A stream
 * the server counts is not enough: the client may re-open it (another
 * element's channel came or went) before it read that stream's hello, and
 * what is published meanwhile is history, not a live event.
 */
export async function channelLive(connection: HTMLElement, channel: string, timeoutMs = 5000): Promise<void> {
  const host = connection as HTMLElement & { client?: CometClient };
  await waitFor(() => host.client !== undefined, timeoutMs, 'the connection to have a client');
  const probe = host.client!.subscribe(channel, () => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe.ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${channel} was not live within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
    // The element still holds the channel: dropping the probe changes nothing upstream.
    probe.unsubscribe();
  }
}

export function cleanup(): void {
  for (const element of mounted) element.remove();
  mounted.clear();
}

/** Elements of `host`'s shadow root whose part list contains `part`. */
export function parts(host: Element, part: string): HTMLElement[] {
  return [...(host.shadowRoot?.querySelectorAll<HTMLElement>(`[part~="${part}"]`) ?? [])];
}

export function part(host: Element, name: string): HTMLElement | undefined {
  return parts(host, name)[0];
}

/** Runs axe on `element` (its shadow tree included); throws with every violation listed. */
export async function expectNoAxeViolations(element: Element, options: RunOptions = {}): Promise<void> {
  const results: AxeResults = await window.axe.run(element, { resultTypes: ['violations'], ...options });
  if (results.violations.length > 0) {
    const lines = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.html.slice(0, 160)).join('\n    ')}`);
    throw new Error(`axe found ${results.violations.length} violation(s):\n  ${lines.join('\n  ')}`);
  }
}

/** The next `type` event on `target`. */
export function nextEvent<E extends Event = CustomEvent>(target: EventTarget, type: string): Promise<E> {
  return new Promise((resolve) => target.addEventListener(type, (event) => resolve(event as E), { once: true }));
}

/** Payloads that would run script if rendered as HTML. */
export const HOSTILE = '<img src=x onerror="window.__pwned=true"><script>window.__pwned=true</script>';

declare global {
  interface Window {
    __pwned?: boolean;
  }
}

/** Asserts that `host`'s shadow root rendered `HOSTILE` as text: no img or script element, the text present. */
export function expectRenderedAsText(host: Element): void {
  const root = host.shadowRoot!;
  if (root.querySelector('img, script')) throw new Error('a hostile payload was rendered as HTML');
  if (!root.textContent?.includes('<img src=x')) throw new Error('the hostile payload is missing from the text');
  if (window.__pwned) throw new Error('a hostile payload ran');
}
