import type { CometError } from '../errors/comet-error.js';
import { ModuleLoadError, loadModule } from '../errors/module-load-error.js';
import { NetworkError } from '../errors/network-error.js';
import { chooseHost, type HostPreference } from '../hosts/choose-host.js';
import type { HostLink, HostLinkEvents, HostTarget } from '../hosts/host-link.js';
import { holdTabLock } from '../hosts/tab-lock.js';
import type { HostKind } from '../hub/port-protocol.js';
import type { TabMessage } from '../hub/tab-messages.js';
import type { Transport } from '../transports/transport.js';

export interface HostConnectionOptions {
  readonly preference: HostPreference;
  readonly workerUrl: string | undefined;
  /** The first target; `resume()` gives the next (a tab returning from the cache has a new id). */
  readonly target: HostTarget;
  /** Transports for a hub started in this page; undefined for the default ladder. */
  readonly transports: readonly Transport[] | undefined;
}

/** What the connection tells its client. */
export interface HostConnectionEvents {
  /** A link to a hub of this kind is open; the hub has not heard from this tab on it yet. */
  linked(host: HostKind): void;
  /** A message from the hub, still unchecked. */
  message(data: unknown): void;
  /** A hub is (newly) listening: say hello. */
  ready(): void;
  /** The hub was lost and is being started again; the client keeps going. */
  lost(error: CometError): void;
  /** No hub can run: its code could not be loaded. The client cannot go on. */
  failed(error: CometError): void;
}

/**
 * Where this client's hub lives, and the link to it: picks the host, opens
 * it, falls back to the next host when one cannot work here, and re-opens it
 * when its hub is lost. A hub that runs in this page (leader tab, single
 * tab) is loaded only then: with a SharedWorker the page never downloads the
 * hub or its transports.
 */
export class HostConnection {
  readonly #options: HostConnectionOptions;
  readonly #events: HostConnectionEvents;
  #target: HostTarget;
  /** Counts suspensions and returns, so that a start or a re-open begun before one does not finish after it. */
  #visit = 0;
  #suspended = false;
  #host: HostKind;
  #reason: string;
  #link: HostLink | undefined;
  /** Each open gets its own number: a link that finishes loading after a newer open (or close) is dropped. */
  #opening = 0;
  #closed = false;
  #releaseTabLock: (() => void) | undefined;

  constructor(options: HostConnectionOptions, events: HostConnectionEvents) {
    this.#options = options;
    this.#events = events;
    this.#target = options.target;
    const choice = chooseHost(options.preference, options.workerUrl);
    this.#host = choice.host;
    this.#reason = choice.reason;
  }

  get host(): HostKind {
    return this.#host;
  }

  /** Why `host` was chosen, including why better hosts were passed over. */
  get reason(): string {
    return this.#reason;
  }

  /** True once a link is open: messages posted before are dropped (the hello carries the state then). */
  get linked(): boolean {
    return this.#link !== undefined;
  }

  async start(afterLoss = false): Promise<void> {
    const visit = this.#visit;
    // The lock must be held before the hub hears of this tab, or the hub's request for it would be granted at once.
    const release = await holdTabLock(this.#target.tab);
    if (this.#closed || this.#suspended || visit !== this.#visit) {
      release();
      return;
    }
    this.#releaseTabLock = release;
    void this.#open(this.#host, afterLoss);
  }

  /**
   * Lets go of everything that ties this page to the hub (link, port,
   * BroadcastChannel, Web Lock): a page that holds one is refused by some
   * engines' back/forward cache (ARCHITECTURE.md). Say goodbye first.
   */
  suspend(): void {
    this.#suspended = true;
    this.#visit += 1;
    this.#opening += 1;
    this.#link?.close();
    this.#link = undefined;
    this.#releaseTabLock?.();
    this.#releaseTabLock = undefined;
  }

  /** Joins a hub again as `target` (a new tab id). A SharedWorker left without tabs may be ending: treated as after a loss (answer within 3 s, else a new one). */
  resume(target: HostTarget): void {
    this.#suspended = false;
    this.#visit += 1;
    this.#target = target;
    void this.start(true);
  }

  post(message: TabMessage): void {
    if (!this.#closed) this.#link?.post(message);
  }

  close(): void {
    this.#closed = true;
    this.#opening += 1;
    this.#link?.close();
    this.#link = undefined;
    this.#releaseTabLock?.();
  }

  #fallBack(from: HostKind, why: string): void {
    const next = chooseHost(this.#options.preference, this.#options.workerUrl, from);
    this.#reason = `${next.reason}; not ${from}: ${why}`;
    this.#host = next.host;
    void this.#open(next.host);
  }

  async #open(host: HostKind, afterLoss = false): Promise<void> {
    const opening = ++this.#opening;
    const { transports, workerUrl } = this.#options;
    const target = this.#target;
    const events: HostLinkEvents = {
      message: (data) => this.#events.message(data),
      ready: () => this.#events.ready(),
      failed: (reason) => {
        if (this.#link !== link || this.#closed) return;
        link.close();
        this.#fallBack(host, reason);
      },
      lost: (reason) => {
        if (this.#link !== link || this.#closed) return;
        link.close();
        this.#link = undefined;
        this.#events.lost(new NetworkError(`${reason}; starting it again.`));
        // A moment for the old worker to end, so that the name reaches a new one.
        const visit = this.#visit;
        setTimeout(() => {
          // Not if the page left meanwhile: it opens a new link when it returns.
          if (!this.#closed && visit === this.#visit) void this.#open(host, true);
        }, 250);
      },
    };
    let link: HostLink;
    try {
      if (host === 'shared-worker') {
        const { openSharedWorkerHost } = await loadModule('SharedWorker link', () => import('../hosts/shared-worker-host.js'));
        if (opening !== this.#opening) return;
        link = openSharedWorkerHost(target, workerUrl ?? '', events, afterLoss ? 3000 : undefined);
      } else if (host === 'leader-tab') {
        const { openLeaderTabHost } = await loadModule('leader-tab hub', () => import('../hosts/leader-tab-host.js'));
        if (opening !== this.#opening) return;
        link = openLeaderTabHost(target, transports, events);
      } else {
        const { openSingleTabHost } = await loadModule('hub', () => import('../hosts/single-tab-host.js'));
        if (opening !== this.#opening) return;
        link = openSingleTabHost(target, transports, events);
      }
    } catch (cause) {
      if (opening !== this.#opening) return;
      if (cause instanceof ModuleLoadError || host === 'single-tab') {
        this.#events.failed(cause instanceof ModuleLoadError ? cause : new ModuleLoadError('hub', cause));
        return;
      }
      this.#fallBack(host, String((cause as Error)?.message ?? cause));
      return;
    }
    this.#link = link;
    this.#events.linked(host);
  }
}
