/**
 * The autoloading script tag (`dist/cometkit-autoload.js`): a small classic
 * script that loads each cometkit element's module the first time the
 * element appears in the page, and the SDK only when a client is needed:
 *
 *   <script src="https://push.example.com/comet/cometkit/cometkit-autoload.js"
 *           data-url="https://push.example.com/comet"></script>
 *
 * Modules come from the `autoload/` folder next to this script, so from its
 * origin: a script on another origin than the page needs CORS on them (the
 * reference server sends it). Elements inside shadow roots that the page's
 * own elements render are found too: every shadow root attached after this
 * script runs is watched, and open ones already there are searched.
 *
 * `data-url`, `data-token`, `data-worker-url`, `data-host` and `data-hub`
 * configure the default client, as for the one-file script. Without
 * `data-url` the page calls `CometKit.configure()` once `cometkit-ready`
 * has fired on `document`.
 */
import manifest from 'virtual:cometkit-autoload-manifest';
import { ModuleLoadError } from '../errors/module-load-error.js';
import { scriptClientOptions } from '../client/script-options.js';

type CometKitModule = typeof import('./client.js').CometKit;

const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : undefined;
const base = new URL('autoload/', script?.src || location.href);

function load<T>(what: string, file: string): Promise<T> {
  return import(/* @vite-ignore */ new URL(file, base).href).catch((cause: unknown) => {
    const error = new ModuleLoadError(what, cause);
    // Seen in the console and by the page's `error` listeners; the rest of the page goes on.
    reportError(error);
    throw error;
  }) as Promise<T>;
}

let sdk: Promise<CometKitModule> | undefined;
function loadSdk(): Promise<CometKitModule> {
  sdk ??= load<{ CometKit: CometKitModule }>('SDK', manifest.client).then(({ CometKit: module }) => {
    (window as { CometKit?: CometKitModule }).CometKit = module;
    document.dispatchEvent(new CustomEvent('cometkit-ready', { detail: module }));
    return module;
  });
  return sdk;
}

const options = scriptClientOptions(script ?? null);
if (options) void loadSdk().then((module) => module.configure(options), () => {});

const waiting = new Map(Object.entries(manifest.elements));
const selector = [...waiting.keys()].join(',');

function found(tag: string): void {
  const file = waiting.get(tag);
  if (file === undefined) return;
  waiting.delete(tag);
  void load(`<${tag}> element`, file).catch(() => {});
  if (waiting.size === 0) stop();
}

/** Every not-yet-loaded cometkit element at or under `node`, and in the open shadow roots below it. */
function discover(node: Node): void {
  if (!(node instanceof Element || node instanceof DocumentFragment || node instanceof Document)) return;
  if (node instanceof Element) {
    if (waiting.has(node.localName)) found(node.localName);
    if (node.shadowRoot) watch(node.shadowRoot);
  }
  if (waiting.size === 0) return;
  for (const element of node.querySelectorAll(selector)) found(element.localName);
}

const observer = new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) discover(node);
});

function watch(root: Document | ShadowRoot): void {
  observer.observe(root, { childList: true, subtree: true });
  discover(root);
  // Open shadow roots attached before this script ran.
  for (const element of root.querySelectorAll('*')) if (element.shadowRoot) watch(element.shadowRoot);
}

// Shadow roots attached from now on are watched as they are made, closed ones included.
const attachShadow = Element.prototype.attachShadow;
const watchingAttachShadow = function (this: Element, init: ShadowRootInit): ShadowRoot {
  const root = attachShadow.call(this, init);
  if (waiting.size > 0) watch(root);
  return root;
};
Element.prototype.attachShadow = watchingAttachShadow;

/** Every element is loaded: nothing more to watch. */
function stop(): void {
  observer.disconnect();
  // Put back only if nobody wrapped it after us.
  if (Element.prototype.attachShadow === watchingAttachShadow) Element.prototype.attachShadow = attachShadow;
}

watch(document);
