import { advice } from '../dev.js';
import type { HostPreference } from '../hub/client-options.js';
import { HOST_KINDS, type HostKind } from '../hub/port-protocol.js';
import { BUNDLED_WORKER } from './bundled-worker.js';
import { hasLocks } from './tab-lock.js';

export type { HostPreference };

/** Best first. */
const ORDER = HOST_KINDS;

export interface HostChoice {
  readonly host: HostKind;
  /** Why this host, in words, with the reasons earlier hosts were passed over. */
  readonly reason: string;
}

/** Why `host` cannot run here, or undefined when it can. */
export function unavailable(host: HostKind, workerUrl: string | undefined): string | undefined {
  switch (host) {
    case 'shared-worker': {
      if (typeof SharedWorker !== 'function') return 'SharedWorker is not available in this browser';
      // The ES module builds start the worker file the app's bundler emitted; if it is not there, the link fails and the client falls back.
      if (workerUrl === undefined) return BUNDLED_WORKER ? undefined : `no workerUrl was given${advice("(the worker file must be on the page's origin)")}`;
      const page = globalThis.location?.href;
      let origin: string;
      try {
        origin = new URL(workerUrl, page).origin;
      } catch {
        return `workerUrl "${workerUrl.slice(0, 200)}" is not a URL`;
      }
      // [spec] The SharedWorker constructor throws SecurityError for a script of another origin.
      if (page && origin !== new URL(page).origin) {
        return `workerUrl ${workerUrl} is not on the page's origin ${new URL(page).origin}${advice(': host the worker file (or a one-line file importing it) there')}`;
      }
      return undefined;
    }
    case 'leader-tab':
      if (typeof BroadcastChannel !== 'function') return 'BroadcastChannel is not available';
      if (!hasLocks()) return `navigator.locks is not available${advice('(it needs a secure context)')}`;
      if (typeof document !== 'object') return 'there is no document to lead from';
      return undefined;
    case 'single-tab':
      return undefined;
  }
}

/**
 * Picks where the hub runs: the preferred host if it can run here, else the
 * first in order SharedWorker → leader tab → this tab that can.
 */
export function chooseHost(preference: HostPreference, workerUrl: string | undefined, after?: HostKind): HostChoice {
  const passed: string[] = [];
  const candidates = preference === 'auto' ? ORDER : [preference, ...ORDER.slice(ORDER.indexOf(preference) + 1)];
  const start = after === undefined ? 0 : candidates.indexOf(after) + 1;
  for (const host of candidates.slice(start)) {
    const why = unavailable(host, workerUrl);
    if (why === undefined) {
      const chosen = preference === host ? `${host} as asked` : `${host}`;
      return { host, reason: passed.length === 0 ? chosen : `${chosen}; ${passed.join('; ')}` };
    }
    passed.push(`not ${host}: ${why}`);
  }
  return { host: 'single-tab', reason: passed.join('; ') };
}
