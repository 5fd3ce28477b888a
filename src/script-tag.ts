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
 * `data-host` and `data-hub` are the client's `host` and `hub` options.
 */
import '../components/index.js';
import { configure } from './client/default-client.js';
import { scriptClientOptions } from './client/script-options.js';

export * from './index.js';

const options = scriptClientOptions(document.currentScript);
if (options) configure(options);
