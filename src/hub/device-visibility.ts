import type { HubUpstreamOptions } from './client-options.js';

/** Where the device's visibility goes: `POST {base}/push/visibility`. */
export type VisibilityReport = (report: { device: string; user: string | null; visible: boolean }) => Promise<unknown>;

/** A hub's device visibility, reported to its server with a plain fetch: a refused report only waits for the next one. */
export function forHub(upstream: () => HubUpstreamOptions | undefined, token: () => Promise<string | undefined>): DeviceVisibility {
  return new DeviceVisibility(async ({ device, user, visible }) => {
    const options = upstream();
    if (!options) return;
    const bearer = await token();
    const response = await fetch(`${options.url.replace(/\/+$/, '')}/push/visibility${user ? `?user=${encodeURIComponent(user)}` : ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ device, visible }),
      credentials: options.withCredentials ? 'include' : 'same-origin',
      keepalive: true,
    });
    if (!response.ok) throw new Error(`push visibility ${response.status}`);
  });
}

/** The server forgets a "visible" report after 60 s (push `visibleTtlMs`): renewed well within. */
export const VISIBILITY_RENEW_MS = 20_000;

/**
 * Whether any tab of this browser is visible, for Web Push: the hub knows
 * every tab, so the server hears one answer per device rather than each
 * tab's, which would contradict one another. Reported when it changes and
 * renewed while visible; a browser that crashed stops renewing, and the
 * server counts it as not visible once the last report runs out.
 */
export class DeviceVisibility {
  readonly #tabs = new Map<string, { visible: boolean; device: string; user: string | null }>();
  readonly #report: VisibilityReport;
  #reported: boolean | undefined;
  #renew: ReturnType<typeof setTimeout> | undefined;

  constructor(report: VisibilityReport) {
    this.#report = report;
  }

  set(tab: string, visible: boolean, device: string, user: string | null): void {
    this.#tabs.set(tab, { visible, device, user });
    this.#update();
  }

  drop(tab: string): void {
    if (this.#tabs.delete(tab)) this.#update();
  }

  close(): void {
    clearTimeout(this.#renew);
    this.#tabs.clear();
  }

  #update(force = false): void {
    // The newest tab's device and user: a browser has one device id.
    const newest = [...this.#tabs.values()].pop();
    const last = this.#last;
    const target = newest ?? last;
    if (!target) return;
    this.#last = target;
    const visible = [...this.#tabs.values()].some((tab) => tab.visible);
    clearTimeout(this.#renew);
    if (visible) this.#renew = setTimeout(() => this.#update(true), VISIBILITY_RENEW_MS);
    if (!force && visible === this.#reported) return;
    this.#reported = visible;
    // A failed report is not retried: the next change or renewal sends the state then.
    this.#report({ device: target.device, user: target.user, visible }).catch(() => (this.#reported = undefined));
  }

  /** The last tab's device, to report "hidden" once the last tab is gone. */
  #last: { device: string; user: string | null } | undefined;
}
