import { lazyTransport } from '../transports/lazy-transport.js';
import { sseTransport } from '../transports/sse-transport.js';
import type { Transport } from '../transports/transport.js';
import { iframeSupported, longPollSupported } from '../transports/transport-support.js';

/**
 * Transports for a hub running in a page (leader tab, single tab), best
 * first. SSE comes with the hub; the fallbacks load on the first step down.
 */
export function pageTransports(): readonly Transport[] {
  return [
    sseTransport,
    lazyTransport('iframe', iframeSupported, () => import('../transports/iframe-transport.js').then((m) => m.iframeTransport)),
    lazyTransport('long-poll', longPollSupported, () => import('../transports/long-poll-transport.js').then((m) => m.longPollTransport)),
  ];
}
