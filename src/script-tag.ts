/**
 * The `<script>` build: `window.CometKit`, every element defined, and a
 * default client from the tag's own attributes:
 *
 *   <script src="https://push.example.com/dist/cometkit.iife.js"
 *           data-url="https://push.example.com/comet"></script>
 *
 * `data-url` may be omitted; the client is then `configure()`d by the page.
 * `data-worker-url` names the SharedWorker file the site hosts on its own
 * origin (`dist/worker.js`, or a one-line module importing it), resolved
 * against the page, not the script: a script from a CDN cannot start a
 * worker from the CDN. Without it, tabs elect a leader tab instead.
 */
import '../components/index.js';
import { configure } from './client/default-client.js';

export * from './index.js';

const script = document.currentScript;
const url = script?.getAttribute('data-url');
const workerUrl = script?.getAttribute('data-worker-url');
if (url) {
  configure({
    url: new URL(url, script instanceof HTMLScriptElement ? script.src || location.href : location.href).href,
    token: script?.getAttribute('data-token') || undefined,
    ...(workerUrl ? { workerUrl: new URL(workerUrl, location.href).href } : {}),
  });
}
