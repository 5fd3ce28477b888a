/**
 * The SharedWorker entry (`cometkit/worker`, built to `dist/worker.js`).
 * Host it on the page's own origin and pass its URL as `workerUrl`:
 *
 *   createClient({ url: 'https://push.example.com/comet', workerUrl: '/cometkit-worker.js' });
 *
 * Only transports that need no DOM run here: the iframe transport is skipped
 * (see ARCHITECTURE.md, "The iframe transport and workers").
 */
import { serveSharedWorker, type SharedWorkerScopeLike } from './hosts/shared-worker-scope.js';
import { workerTransports } from './hosts/worker-transports.js';

// Only a SharedWorker's global has `onconnect`: imported anywhere else (server-side rendering, Node), this does nothing.
if ('onconnect' in globalThis) {
  serveSharedWorker(globalThis as unknown as SharedWorkerScopeLike, { transports: workerTransports() });
}
