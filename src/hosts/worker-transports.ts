import { longPollTransport } from '../transports/long-poll-transport.js';
import { sseTransport } from '../transports/sse-transport.js';
import type { Transport } from '../transports/transport.js';

/**
 * Transports for a hub running in a SharedWorker. The iframe transport needs
 * a document to hold its frame, and a worker has none: it is left out here
 * rather than borrowed from a tab (see ARCHITECTURE.md). The worker is one
 * file (a site hosts it on its own origin), so long-poll is in it, not lazy.
 */
export function workerTransports(): readonly Transport[] {
  // Listed, not filtered from pageTransports(), so the worker bundle does not carry the iframe code at all.
  return [sseTransport, longPollTransport];
}
