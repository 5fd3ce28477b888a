import type { TabMessage } from '../hub/port-protocol.js';
import { hubName, type HostLink, type HostLinkEvents, type HostTarget } from './host-link.js';

/**
 * The hub in a SharedWorker that every tab of the origin shares.
 *
 * The worker's script must be same-origin with the page ([spec] "SharedWorker
 * constructor": a cross-origin URL throws a SecurityError), so the site hosts
 * it: `dist/worker.js` itself, or a one-line module `import` of it. The
 * worker's name holds the push server URL and the port protocol version, so
 * each server gets its own hub and two cometkit versions never share one.
 */
export function openSharedWorkerHost(target: HostTarget, workerUrl: string, events: HostLinkEvents): HostLink {
  const worker = new SharedWorker(workerUrl, { type: 'module', name: hubName(target) });
  const port = worker.port;
  let heard = false;
  let open = true;
  port.onmessage = (event: MessageEvent) => {
    if (!open) return;
    heard = true;
    events.message(event.data);
  };
  // [spec] `error` on the SharedWorker object fires when its script fails to load or to parse;
  // a port that never heard from the hub means the host is unusable, not merely slow.
  worker.addEventListener('error', () => {
    if (open && !heard) events.failed(`the worker script ${workerUrl} failed to load or to start`);
  });
  port.start();
  queueMicrotask(() => open && events.ready());
  return {
    host: 'shared-worker',
    post: (message: TabMessage) => port.postMessage(message),
    close: () => {
      open = false;
      port.close();
    },
  };
}
