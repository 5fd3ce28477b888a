/** True in the development build (warnings on), false in the minified production build. */
declare const __DEV__: boolean;
/** True in the ES module builds, where the SharedWorker link starts the worker file the app's bundler emits (src/hosts/bundled-worker.ts). */
declare const __BUNDLED_WORKER__: boolean;
