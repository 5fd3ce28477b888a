import type { TabMessage } from '../hub/tab-messages.js';
import { BUNDLED_WORKER } from './bundled-worker.js';
import { aliveLockName, hubName, type HostLink, type HostLinkEvents, type HostTarget } from './host-link.js';

/**
 * The hub in a SharedWorker that every tab of the origin shares.
 *
 * The worker's script must be same-origin with the page ([spec] "SharedWorker
 * constructor": a cross-origin URL throws a SecurityError). In an app built
 * by a bundler, the bundler emits it on the app's origin from the pattern in
 * `startBundledWorker`; otherwise the site hosts it and gives its URL
 * (`workerUrl`): `dist/worker.js` itself, or a one-line module `import` of it. The
 * worker's name holds the push server URL and the port protocol version, so
 * each server gets its own hub and two cometkit versions never share one.
 */
const FIRST_ANSWER_MS = 10_000;

/** How the errors name the worker the bundler emitted: its URL is the bundler's. */
const BUNDLED_SCRIPT = 'cometkit/worker (as bundled with the app)';

/**
 * cometkit's worker file (`src/worker.ts`, built to dist/worker.js beside
 * the chunk this code is built into, dist/chunks/): `new SharedWorker(new
 * URL(…, import.meta.url), { type: 'module' })` is the expression Vite,
 * webpack 5, Parcel and others recognize; they bundle the file it names and
 * put their own URL of it on the app's origin in its place. It must stay one
 * expression, the URL a string literal and the options an object literal
 * with `type` written out (rollup.config.mjs refuses a build where it is
 * not). Unbundled, it is the package's own file: it works when the page
 * loads the package from its own origin, and throws a SecurityError from a
 * CDN (the client then falls back).
 */
function startBundledWorker(name: string): SharedWorker {
  return new SharedWorker(new URL('../worker.js', import.meta.url), { type: 'module', name });
}

export function openSharedWorkerHost(
  target: HostTarget,
  /**
   * The worker's URL; '' when none was given, which the ES module builds
   * read as the worker the app's bundler emitted (see `BUNDLED_WORKER`).
   * Written so that the script-tag builds, where the flag is false, compile
   * to the code they had before the bundled worker.
   */
  workerUrl: string,
  events: HostLinkEvents,
  /** After a lost worker: give up on this port if the hub does not answer in time (see below). */
  answerTimeoutMs?: number,
): HostLink {
  const name = hubName(target);
  const bundled = BUNDLED_WORKER && workerUrl === '';
  const worker = bundled ? startBundledWorker(name) : new SharedWorker(workerUrl, { type: 'module', name });
  const port = worker.port;
  const watching = new AbortController();
  let heard = false;
  let open = true;
  port.onmessage = (event: MessageEvent) => {
    if (!open) return;
    if (!heard) watchWorker();
    heard = true;
    events.message(event.data);
  };
  // [spec] `error` on the SharedWorker object fires when its script fails to load or to parse;
  // a port that never heard from the hub means the host is unusable, not merely slow.
  worker.addEventListener('error', () => {
    if (open && !heard) events.failed(`the worker script ${bundled ? BUNDLED_SCRIPT : workerUrl} failed to load or to start`);
  });
  /**
   * A port gives no sign when the worker behind it dies (the browser may kill
   * a worker, e.g. out of memory). The hub holds a lock for its life; asked
   * for after the hub's first answer, the request queues behind its hold and is
   * granted only when the worker is gone.
   */
  function watchWorker(): void {
    if (typeof navigator.locks?.request !== 'function') return;
    navigator.locks
      .request(aliveLockName(name), { signal: watching.signal }, () => {
        if (open) events.lost('the SharedWorker holding the hub ended');
      })
      .catch(() => {});
  }

  port.start();
  queueMicrotask(() => open && events.ready());
  // Firefox may hand a new port to the worker that is still ending, which never answers:
  // the client then tries again, a little later.
  // A first worker that loads but never answers (a stale or broken worker file) is as unusable as one that fails to load.
  const silence =
    answerTimeoutMs === undefined
      ? setTimeout(() => open && !heard && events.failed(`the worker script ${bundled ? BUNDLED_SCRIPT : workerUrl} did not answer within ${FIRST_ANSWER_MS} ms`), FIRST_ANSWER_MS)
      : setTimeout(() => open && !heard && events.lost('the restarted SharedWorker did not answer'), answerTimeoutMs);
  return {
    host: 'shared-worker',
    post: (message: TabMessage) => port.postMessage(message),
    close: () => {
      open = false;
      clearTimeout(silence);
      watching.abort();
      port.close();
    },
  };
}
