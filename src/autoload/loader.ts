/**
 * The autoloading script tag (`dist/cometkit-autoload.js`): a small classic
 * script that loads each cometkit element's module the first time the
 * element appears in the page, and the SDK only when a client is needed:
 *
 *   <script src="https://push.example.com/comet/cometkit/cometkit-autoload.js"
 *           data-url="https://push.example.com/comet"></script>
 *
 * Modules come from this build's folder under `autoload/` next to this script, so from its
 * origin: a script on another origin than the page needs CORS on them (the
 * reference server sends it). Elements inside shadow roots that the page's
 * own elements render are found too: every shadow root attached after this
 * script runs is watched, and open ones already there are searched.
 *
 * `data-url`, `data-token`, `data-worker-url`, `data-host` and `data-hub`
 * configure the default client, as for the one-file script. Without
 * `data-url` the page calls `CometKit.configure()` once `cometkit-ready`
 * has fired on `document`.
 *
 * The loader carries the hash of every module it may load, so pinning it
 * with `integrity` pins them all. `import()` takes no integrity, and an
 * import map that gives one is an inline script, which the documented CSP
 * (`script-src 'self'`) forbids; WebKit ignores the `integrity` of a
 * `<link rel=modulepreload>`. So each module, and every module it imports
 * statically (those first), is loaded by a `<script type=module integrity>`,
 * which every engine checks: the browser refuses a module that does not
 * match, and the loader then loads nothing that imports it; one that matches
 * is in the page's module map, where `import()` finds it instead of
 * fetching it again. A module's lazy parts come through the same
 * check (`cometkitImport`, which the build calls in place of their `import()`).
 */
import { build, files as rows, tags } from 'virtual:cometkit-autoload-manifest';
import { ModuleLoadError } from '../errors/module-load-error.js';
import { scriptClientOptions } from '../client/script-options.js';

type CometKitModule = typeof import('./client.js').CometKit;

// An SVG script, or none (the loader run by other means), has no `src`: the page's URL stands in.
const script = document.currentScript as HTMLScriptElement | null;
// A folder per build: a cache never mixes two builds' modules, whatever it does with their plain names.
const base = new URL(`autoload/${build}/`, script?.src || location.href);

/** Each module's URL, by its row in the manifest: an element's file is named by its tag, the others by their row. */
const files = rows.map((_, row) => new URL(`${tags[row - 1] ?? row}.js`, base).href);
const checked = new Map<number, Promise<unknown>>();

/**
 * The module of row `file` and every module it imports statically, each
 * loaded by a module script with its hash and found to match. A module's
 * script is inserted only once those it imports are in: they are then in the
 * page's module map, checked, when it asks for them, so none is fetched
 * without its hash (a failed check is not kept in the map everywhere, and
 * would be fetched again unchecked). The build refuses a cycle between these
 * modules.
 */
function check(file: number): Promise<unknown> {
  let done = checked.get(file);
  if (!done) {
    const [integrity, ...imports] = rows[file]!;
    done = Promise.all(imports.map(check)).then(
      () =>
        new Promise((loaded, failed) => {
          const element = document.createElement('script');
          element.onload = loaded;
          element.onerror = () => failed(new Error(`${files[file]} is not the module of this build`));
          element.type = 'module';
          // Module requests are CORS requests without credentials, as `import()` makes them.
          element.crossOrigin = 'anonymous';
          element.integrity = `sha256-${integrity}=`;
          element.src = files[file]!;
          document.head.append(element);
        }),
    );
    checked.set(file, done);
  }
  return done;
}

/** `import()` of a module of the autoload folder, once it and its static imports match their hashes. */
const verifiedImport = (file: number): Promise<unknown> => check(file).then(() => import(/* @vite-ignore */ files[file]!));
// The modules' lazy parts: the build writes `cometkitImport(row)` for their `import('./row.js')`.
(self as { cometkitImport?: (file: number) => Promise<unknown> }).cometkitImport = (file) =>
  // A script without a valid hash would not be checked at all: a row the build did not write is refused.
  Number.isInteger(file) && rows[file] ? verifiedImport(file) : Promise.reject(new Error(`${file} is not a module of this build`));

function load<T>(what: string, file: number): Promise<T> {
  return verifiedImport(file).catch((cause: unknown) => {
    const error = new ModuleLoadError(what, cause);
    // Seen in the console and by the page's `error` listeners; the rest of the page goes on.
    reportError(error);
    throw error;
  }) as Promise<T>;
}

let sdk: Promise<CometKitModule> | undefined;
function loadSdk(): Promise<CometKitModule> {
  sdk ??= load<{ CometKit: CometKitModule }>('SDK', 0).then(({ CometKit: module }) => {
    (window as { CometKit?: CometKitModule }).CometKit = module;
    document.dispatchEvent(new CustomEvent('cometkit-ready', { detail: module }));
    return module;
  });
  return sdk;
}

const options = scriptClientOptions(script);
if (options) void loadSdk().then((module) => module.configure(options), () => {});

// The rows after the SDK's: each element's module, in the order of its tag.
const waiting = new Map(tags.map((tag, index) => [tag, index + 1]));
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
  // Elements, documents and fragments (shadow roots among them): text and comments hold no element.
  if (!('querySelectorAll' in node)) return;
  if (node instanceof Element) {
    found(node.localName);
    if (node.shadowRoot) watch(node.shadowRoot);
  }
  if (waiting.size > 0) for (const element of (node as ParentNode).querySelectorAll(selector)) found(element.localName);
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
