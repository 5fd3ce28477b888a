/**
 * True in the ES module builds an app's bundler reads (dist/, dist/dev/):
 * there, a client without `workerUrl` starts cometkit's own worker file
 * from where the bundler emitted it (`shared-worker-host.ts`), so a bundled
 * app gets one connection per browser with no option. False in the
 * script-tag builds, whose `import.meta.url` is the CDN's (a SharedWorker
 * cannot be built from another origin: they keep `data-worker-url`), and in
 * the sources as the tests run them, where nothing defines the flag.
 */
export const BUNDLED_WORKER: boolean = typeof __BUNDLED_WORKER__ !== 'undefined' && __BUNDLED_WORKER__;
