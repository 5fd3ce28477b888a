import { Hub, type HubPeer } from '../hub/hub.js';
import type { HubMessage, RefusedMessage } from '../hub/hub-messages.js';
import { readEnvelope } from '../hub/port-protocol.js';
import type { TabMessage } from '../hub/tab-messages.js';
import type { Transport } from '../transports/transport.js';
import { pageTransports } from './page-transports.js';
import { hubName, type HostLink, type HostLinkEvents, type HostTarget } from './host-link.js';
import { watchTabLock } from './watch-tab-lock.js';

/**
 * The hub in one elected tab, for pages that cannot start a SharedWorker
 * (no same-origin worker script, e.g. cometkit loaded from a CDN).
 *
 * Every tab queues for the leader lock; the holder runs the hub. Tabs reach
 * it on the `…:hub` BroadcastChannel, and it answers each tab on that tab's
 * own `…:tab:<id>` channel, so an event reaches only the tabs holding its
 * channel. When the leader goes (closed, crashed, `client.close()`), the
 * browser grants the lock to the next tab in the queue; its hub announces
 * itself on `…:announce`, every tab says hello again with what it has
 * received, and the new hub resumes from the earliest of those positions.
 *
 * The leader tab's own client talks to its hub over the same channels as
 * every other tab: one path to test, and nothing changes for it when
 * leadership moves.
 */
export function openLeaderTabHost(target: HostTarget, transports: readonly Transport[] | undefined, events: HostLinkEvents): HostLink {
  const name = hubName(target);
  const toHub = new BroadcastChannel(`${name}:hub`);
  const inbox = new BroadcastChannel(`${name}:tab:${target.tab}`);
  const announcements = new BroadcastChannel(`${name}:announce`);
  const abdicate = new AbortController();
  let open = true;
  let stepDown: (() => void) | undefined;

  inbox.onmessage = (event) => open && events.message(event.data);
  announcements.onmessage = (event) => {
    const envelope = readEnvelope(event.data);
    if (open && envelope?.type === 'hub-ready' && envelope.version === target.protocolVersion) events.ready();
  };

  navigator.locks
    .request(`${name}:leader`, { signal: abdicate.signal }, async () => {
      if (!open) return;
      await new Promise<void>((resolve) => {
        const stop = lead(name, target, transports ?? pageTransports());
        stepDown = () => {
          stop();
          resolve();
        };
      });
    })
    .catch((error: unknown) => {
      if (open && !(error instanceof DOMException && error.name === 'AbortError')) {
        events.failed(`Web Locks refused the leader lock (${String((error as Error)?.message ?? error)})`);
      }
    });

  // A hub may already be running in another tab: say hello now; a new one will ask again.
  queueMicrotask(() => open && events.ready());

  return {
    host: 'leader-tab',
    post: (message: TabMessage) => toHub.postMessage(message),
    close: () => {
      open = false;
      abdicate.abort();
      stepDown?.();
      toHub.close();
      inbox.close();
      announcements.close();
    },
  };
}

/** Runs the hub while this tab holds the leader lock; returns the function that stops it. */
function lead(name: string, target: HostTarget, transports: readonly Transport[]): () => void {
  const hub = new Hub({ host: 'leader-tab', transports, watchTab: watchTabLock, protocolVersion: target.protocolVersion });
  const requests = new BroadcastChannel(`${name}:hub`);
  const peers = new Map<string, HubPeer>();
  // One peer per tab, however often it says hello: the hub keeps it while the tab stays.
  const connect = (tab: string): HubPeer => {
    const known = peers.get(tab);
    if (known) return known;
    const channel = new BroadcastChannel(`${name}:tab:${tab}`);
    const peer: HubPeer = {
      post: (message: HubMessage | RefusedMessage) => channel.postMessage(message),
      close: () => {
        channel.close();
        peers.delete(tab);
      },
    };
    peers.set(tab, peer);
    return peer;
  };
  requests.onmessage = (event) => hub.receive(event.data, connect);
  requests.onmessageerror = () => hub.receive(undefined, connect);

  // Timers of a hidden leader tab are throttled; deadlines are on the wall clock and re-checked when the tab wakes.
  const wake = (): void => hub.wake();
  const onVisibility = (): void => {
    if (document.visibilityState === 'visible') wake();
  };
  document.addEventListener('visibilitychange', onVisibility);
  addEventListener('pageshow', wake);
  addEventListener('online', wake);

  const announce = new BroadcastChannel(`${name}:announce`);
  announce.postMessage({ cometkit: target.protocolVersion, type: 'hub-ready' });
  announce.close();

  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    removeEventListener('pageshow', wake);
    removeEventListener('online', wake);
    requests.close();
    hub.close(true);
    for (const peer of [...peers.values()]) peer.close();
  };
}
