import { Hub } from '../hub/hub.js';
import type { HubMessage, RefusedMessage } from '../hub/hub-messages.js';
import type { TabMessage } from '../hub/tab-messages.js';
import type { Transport } from '../transports/transport.js';
import type { HostLink, HostLinkEvents, HostTarget } from './host-link.js';
import { pageTransports } from './page-transports.js';

/**
 * The hub in this tab, for this client alone: no sharing, but the same hub
 * code and messages as the shared hosts, so every host behaves alike.
 * Messages are handed over in a microtask: a handler that subscribes from
 * inside an event never re-enters the hub.
 */
export function openSingleTabHost(target: HostTarget, transports: readonly Transport[] | undefined, events: HostLinkEvents): HostLink {
  const hub = new Hub({ host: 'single-tab', transports: transports ?? pageTransports(), protocolVersion: target.protocolVersion });
  let open = true;
  const peer = {
    post: (message: HubMessage | RefusedMessage) => {
      queueMicrotask(() => open && events.message(message));
    },
    close: () => {},
  };
  queueMicrotask(() => open && events.ready());
  return {
    host: 'single-tab',
    post: (message: TabMessage) => {
      queueMicrotask(() => open && hub.receive(message, () => peer));
    },
    close: () => {
      open = false;
      hub.close();
    },
  };
}
