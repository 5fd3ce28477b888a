import type { HostKind } from '../hub/port-protocol.js';
import type { TabMessage } from '../hub/tab-messages.js';

/** What a host tells the tab-side client. */
export interface HostLinkEvents {
  /** A message from the hub, still unchecked. */
  message(data: unknown): void;
  /** A hub is (newly) listening: say hello, with this tab's channels and cursor. */
  ready(): void;
  /** This host cannot work here after all (the worker script failed to load, locks are refused): use the next one. */
  failed(reason: string): void;
  /** The hub died (its worker was killed): open the same host again; a new hub resumes from the tabs' cursors. */
  lost(reason: string): void;
}

/** The tab's end of its link to the hub, whichever host carries it. */
export interface HostLink {
  readonly host: HostKind;
  post(message: TabMessage): void;
  close(): void;
}

/** Everything a host needs to know to find (or start) the hub for one push server. */
export interface HostTarget {
  /** Absolute base URL of the push server. */
  readonly url: string;
  /** Clients with the same `url` and `hub` share one hub. */
  readonly hub: string;
  readonly tab: string;
  /** The port protocol version, part of every shared name so two versions never meet by accident. */
  readonly protocolVersion: number;
}

/**
 * The name of the shared hub for a push server, used for the SharedWorker's
 * name, the leader lock and the BroadcastChannels. It holds the port
 * protocol version: after a deploy, tabs of the new version start their own
 * hub instead of failing against the old one still serving older tabs.
 */
/** The lock a SharedWorker hub holds for its whole life: tabs learn it died when they are granted it. */
export const aliveLockName = (name: string): string => `${name}:alive`;

export function hubName(target: Pick<HostTarget, 'url' | 'hub' | 'protocolVersion'>): string {
  return `cometkit:p${target.protocolVersion}:${target.hub}:${target.url}`;
}
