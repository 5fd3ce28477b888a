// Builds every output of the package. esbuild transpiles (TypeScript 7 has no
// JS API for rollup's TypeScript plugin); `tsc` checks types and emits .d.ts.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { minifyElementTemplates } from './scripts/minify-templates.mjs';

const require = createRequire(import.meta.url);
const polyfillFile = require.resolve('eventsource-polyfill/dist/eventsource.js');

/**
 * eventsource-polyfill 0.9.6 assigns two undeclared variables (`request`,
 * `parts`): legal in the sloppy-mode script it was written as, a
 * ReferenceError in the ES module chunk it becomes here.
 */
const declarePolyfillGlobals = {
  name: 'eventsource-polyfill-declare',
  transform(code, id) {
    if (id === polyfillFile) return { code: `var request, parts;\n${code}`, map: null };
    return null;
  },
};

/**
 * A classic script cannot import a chunk: the script-tag build swaps the
 * polyfill's dynamic import for a loader that adds `eventsource-polyfill.js`
 * (the package's own sloppy-mode file, emitted next to cometkit.iife.js) as
 * a script element, only where EventSource is missing.
 */
const polyfillAsScript = {
  name: 'eventsource-polyfill-script',
  resolveId(source, importer) {
    if (importer && source === './import-eventsource-polyfill.js') return join(dirname(importer), 'import-eventsource-polyfill.script.ts');
    return null;
  },
  buildStart() {
    this.emitFile({ type: 'asset', fileName: 'eventsource-polyfill.js', source: readFileSync(polyfillFile, 'utf8') });
  },
};

/**
 * The SharedWorker has no window, so the polyfill (which needs one) can never
 * run there: the worker build takes `load-event-source.worker.ts`, which has
 * only the native EventSource, rather than carry the polyfill's loader unused.
 */
const noPolyfillInWorker = {
  name: 'no-eventsource-polyfill-in-worker',
  resolveId(source, importer) {
    if (importer && source === './load-event-source.js') return join(dirname(importer), 'load-event-source.worker.ts');
    return null;
  },
};

/**
 * The worker and the one-file script are one file each: the hub's push
 * visibility code and the refusal diagnosis, chunks of their own in the
 * module builds, are carried there without the wrapper an inlined `import()`
 * costs (`load-device-visibility.worker.ts`, `load-diagnose-refusal.worker.ts`).
 */
const deviceVisibilityInWorker = {
  name: 'device-visibility-in-worker',
  resolveId(source, importer) {
    if (importer && source === './load-device-visibility.js') return join(dirname(importer), 'load-device-visibility.worker.ts');
    if (importer && /^\.\.?\/(transports\/)?load-diagnose-refusal\.js$/.test(source)) return join(dirname(importer), source.replace(/\.js$/, '.worker.ts'));
    return null;
  },
};

/**
 * The SharedWorker script (`cometkit/worker`): one self-contained module, so
 * a site hosts a single file on its own origin (see ARCHITECTURE.md).
 */
const workerBuild = (dev) => ({
  input: 'src/worker.ts',
  plugins: [noPolyfillInWorker, deviceVisibilityInWorker, ...plugins({ dev })],
  output: { file: dev ? 'dist/dev/worker.js' : 'dist/worker.js', format: 'es', inlineDynamicImports: true, sourcemap: true },
});

/** The service worker module (`cometkit/sw`): one file an app's own service worker imports. */
const serviceWorkerBuild = (dev) => ({
  input: 'src/sw.ts',
  plugins: plugins({ dev }),
  output: { file: dev ? 'dist/dev/sw.js' : 'dist/sw.js', format: 'es', inlineDynamicImports: true, sourcemap: true },
});

const browserEntries = {
  cometkit: 'src/index.ts',
  components: 'components/index.ts',
  // Built with the SDK, so they import its default client from the same module an app's `cometkit` is.
  react: 'src/bindings/react.ts',
  vue: 'src/bindings/vue.ts',
};
const target = 'es2022';

/** Lit and @lit/context stay external in the ESM builds so an app that uses Lit loads it once. */
const isLit = (id) => /^(lit|lit-html|lit-element|@lit\/[^/]+|@lit-labs\/[^/]+)(\/|$)/.test(id);

/** React and Vue are the app's (optional peer dependencies): never bundled. */
const isFramework = (id) => /^(react|react-dom|vue|@vue\/[^/]+)(\/|$)/.test(id);

/**
 * Production browser files get a second minifier after esbuild's: terser's
 * compressor (two passes) folds what esbuild leaves (repeated property
 * reads, constant branches, sequences), about 4% off each file brotli.
 * `#private` names are already short from esbuild; public and wire names
 * are left alone (no property mangling).
 */
const terserPass = (module) => terser({ module, ecma: 2022, compress: { passes: 2 }, format: { comments: false } });

const plugins = ({ dev, browser = true, module = true, bundledWorker = false }) => [
  declarePolyfillGlobals,
  nodeResolve({ browser, exportConditions: dev ? ['development'] : [], preferBuiltins: !browser }),
  commonjs(),
  // Templates minified as they ship (scripts/minify-templates.mjs).
  ...(!dev && browser ? [minifyElementTemplates()] : []),
  esbuild({
    target,
    minify: !dev,
    define: { __DEV__: String(dev), __BUNDLED_WORKER__: String(bundledWorker) },
    legalComments: 'none',
  }),
  ...(!dev && browser ? [terserPass(module)] : []),
];

/**
 * The SharedWorker link's `new SharedWorker(new URL('../worker.js',
 * import.meta.url), { type: 'module', … })` (src/hosts/shared-worker-host.ts)
 * is read by an app's bundler as it is written in the built file: the
 * expression whole (bundlers match its text; a minifier folding the two
 * constructions into one would hide it), `type` written out, and in a chunk
 * one folder below the worker file, so that the URL names it.
 */
const keepBundledWorkerPattern = {
  name: 'keep-bundled-worker-pattern',
  generateBundle(options, bundle) {
    const pattern = /\bnew\s+SharedWorker\s*\(\s*new\s+URL\s*\(\s*(["'])\.\.\/worker\.js\1\s*,\s*import\.meta\.url\s*\)\s*,\s*\{\s*type\s*:\s*(["'])module\2/;
    const holders = Object.values(bundle).filter((chunk) => chunk.type === 'chunk' && pattern.test(chunk.code));
    const where = holders.map((chunk) => chunk.fileName);
    if (holders.length !== 1 || !/^chunks\/[^/]+\.js$/.test(where[0])) {
      throw new Error(`${options.dir}: the bundled worker's construction must be in one chunk of chunks/ as written in shared-worker-host.ts; found in ${JSON.stringify(where)}.`);
    }
  },
};

const browserEsm = (dev) => ({
  input: browserEntries,
  external: (id) => isLit(id) || isFramework(id),
  plugins: [...plugins({ dev, bundledWorker: true }), keepBundledWorkerPattern],
  output: {
    dir: dev ? 'dist/dev' : 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    // The hash only has to change with the chunk: 32 bits in hex do that, and cost brotli less than
    // rollup's 48 in base64url (random characters are what it cannot shorten; the SDK's chunk names ten).
    chunkFileNames: 'chunks/[name]-[hash:8].js',
    hashCharacters: 'hex',
    // Errors only streams raise get a chunk of their own: an app that imports neither drops it whole.
    manualChunks: (id) => (/src\/errors\/(malformed-frame|stream-timeout)-error\.ts$/.test(id) ? 'stream-errors' : undefined),
    sourcemap: true,
  },
});

/**
 * The autoloader's files are maps without the `//# sourceMappingURL` line:
 * a page fetches a dozen of them, and the line (a hashed name brotli cannot
 * shorten) costs each file about 35 B. The maps are still built beside them
 * (dist/autoload/*.js.map), for a debugger to be given by hand; the push
 * server serves only the scripts (server/static/browser-files.ts).
 */
const scriptTagSourcemap = 'hidden';

/** The elements the autoloading script tag knows, each built as a module of its own. */
const elementTags = ['comet-connection', 'comet-feed', 'comet-toasts', 'comet-presence', 'comet-presence-badge', 'comet-bell', 'comet-status', 'comet-preferences'];

/**
 * Filled by the autoload modules' build, read by the loader's build after it
 * (rollup builds the list in order). Written for the loader to be small, as
 * every page fetches it. The modules live in a folder named by the build
 * (`dist/autoload/${build}/`), a hash of every module's integrity, so a
 * cache keyed by URL never holds a module of another build; inside it, a
 * module's file is named by its row: `${tag}.js` for an element, `${row}.js`
 * for the SDK (row 0) and every shared chunk. Each row is `[integrity,
 * ...imports]`: the base64 sha256 without the constant `sha256-` and the
 * padding `=`, and the rows of the modules it imports statically. The
 * elements are rows 1 to `tags.length`, in `elementTags` order.
 */
const autoloadManifest = { build: '', tags: elementTags, files: [] };
/** The row of each shared chunk of dist/autoload/, by the modules it holds, given as rollup names the chunk. */
const sharedChunkRows = new Map();
/** The row a file of dist/autoload/ is named for: 0 the SDK, 1 to 8 the elements by tag, shared chunks after. */
function fileRow(fileName) {
  const [, name] = /^([\w-]+)\.js$/.exec(fileName) ?? [];
  if (name === undefined) return undefined;
  const tag = elementTags.indexOf(name);
  if (tag >= 0) return tag + 1;
  const row = /^(0|[1-9]\d*)$/.test(name) ? Number(name) : -1;
  return row === 0 || row > elementTags.length ? row : undefined;
}

/**
 * What a module of dist/autoload/ calls for its lazy parts instead of
 * `import()`: the loader's verified import (src/autoload/loader.ts), so a
 * module loaded later is checked against its hash as the first ones are.
 * It takes the module's row, a number where a specifier would repeat
 * `"./` and `.js"` at every call.
 */
const verifiedImport = 'cometkitImport';

/**
 * Lit's core as every element uses it. Lit's directives load with the elements
 * that use them; the context provider (only `<comet-connection>` provides) and
 * the async directive (only the lazily loaded virtualizer uses it) stay out.
 */
const litCore = /node_modules\/(lit|lit-html|lit-element|@lit\/reactive-element|@lit\/context)\/(?!directives\/|async-directive|lib\/controllers\/context-provider|lib\/value-notifier|lib\/context-request-event)/;
/**
 * Named apart so that Lit's chunk, which holds `@lit/context`'s index, does
 * not take the provider along: only `<comet-connection>` provides.
 */
const contextProvider = /node_modules\/@lit\/context\/lib\/(controllers\/context-provider|value-notifier|context-request-event)\.js$/;
const elementEntry = /\/components\/(comet-[a-z-]+)\/\1\.ts$/;
/**
 * Small modules the lazy parts of the SDK share (the hosts' names, reading a
 * server's refusal, the reconnect backoff), and history, which the feed and
 * the bell read as they start, with the edge check that parses its events'
 * ids: a file of their own each costs more than carrying them.
 */
const smallSdkParts = /\/src\/(hosts\/host-link|errors\/read-refusal|upstream\/backoff|client\/fetch-history|protocol\/check-event)\.ts$/;
/**
 * The hub as a page runs it (leader tab): the leader-tab link with the hub
 * and its transports. Pages whose hub is in a SharedWorker fetch none of it.
 */
const pageHub = /\/src\/hosts\/(leader-tab-host|page-transports)\.ts$/;
/**
 * The inbox's wire declarations go with the SDK's inbox, the one module of the SDK that imports them; the
 * elements' inbox view, their other importer, runs only once that inbox has loaded. A file of their own (254 B)
 * cost the loader an integrity hash more than they weigh. The inbox's requests helper, which presence and
 * sends import too, stays a file of its own rather than be pulled in with them.
 */
const inboxParts = /\/src\/(inbox\/inbox|inbox\/inbox-events|protocol\/inbox-protocol)\.ts$/;
const serverRequest = /\/src\/http\/server-request\.ts$/;
/** Rendering lists (the feed, the bell and the toasts): small, and a file of their own costs more. */
const listParts = /\/components\/(lists\/keyed-list|text\/summarize)\.ts$/;
let sdkModules;
let sharedByEveryElement;
/**
 * One `runtime` file holds what every element page runs: the SDK as the
 * elements load it (what `client.ts` imports statically, not its lazy
 * parts), Lit's core, and the element code every visible element imports
 * statically (theme, strings, the client consumer). The loader creates the
 * default client and every element needs both the SDK and Lit, so one file
 * and one compression window cost less than two (about 0.4 KiB brotli on
 * the one-feed page). A page that loads the autoloader for the SDK alone,
 * with no element, pays for Lit too: `cometkit.js` as a module is the
 * smaller way there.
 */
function autoloadChunks(id, { getModuleInfo, getModuleIds }) {
  if (!sdkModules) {
    const ids = [...getModuleIds()];
    const entry = ids.find((moduleId) => moduleId.endsWith('/src/autoload/client.ts'));
    sdkModules = entry ? staticImports(entry, getModuleInfo) : new Set();
    // The entry joins its chunk, so no file re-exporting the SDK stands in front of it (see preserveEntrySignatures below).
    if (entry) sdkModules.add(entry);
    // <comet-connection> renders nothing of its own: what the visible elements share is not held back for it.
    const perElement = ids
      .filter((moduleId) => elementEntry.test(moduleId) && !moduleId.includes('/comet-connection/'))
      .map((moduleId) => staticImports(moduleId, getModuleInfo));
    sharedByEveryElement = new Set(perElement.length === 0 ? [] : [...perElement[0]].filter((moduleId) => perElement.every((closure) => closure.has(moduleId))));
  }
  if (pageHub.test(id)) return 'page-hub';
  if (inboxParts.test(id)) return 'inbox';
  if (serverRequest.test(id)) return 'server-request';
  if (contextProvider.test(id)) return 'context-provider';
  if (sdkModules.has(id) || smallSdkParts.test(id) || litCore.test(id) || listParts.test(id)) return 'runtime';
  if (sharedByEveryElement.has(id) && /\/components\/shared\//.test(id)) return 'runtime';
  return undefined;
}

/**
 * The loader checks a module's static imports before it loads the module
 * (src/autoload/loader.ts): two modules importing each other could never
 * both go first. Rollup can make such a pair of chunks; say so at build time.
 */
function refuseImportCycles(bundle) {
  const state = new Map();
  const visit = (fileName, path) => {
    if (state.get(fileName) === 'done') return;
    if (state.get(fileName) === 'open') throw new Error(`dist/autoload: the chunks ${[...path, fileName].join(' → ')} import each other; change autoloadChunks so they do not.`);
    state.set(fileName, 'open');
    for (const imported of bundle[fileName]?.imports ?? []) visit(imported, [...path, fileName]);
    state.set(fileName, 'done');
  };
  for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk') visit(chunk.fileName, []);
}

/** Every module `entry` imports statically, directly or not (its lazy parts excluded). */
function staticImports(entry, getModuleInfo) {
  const seen = new Set();
  const visit = (moduleId) => {
    if (seen.has(moduleId)) return;
    seen.add(moduleId);
    for (const imported of getModuleInfo(moduleId)?.importedIds ?? []) visit(imported);
  };
  for (const imported of getModuleInfo(entry)?.importedIds ?? []) visit(imported);
  return seen;
}

/**
 * The modules the autoloading script tag loads (dist/autoload/): the SDK
 * and one entry per element, Lit inside (a plain page has no Lit of its
 * own), shared code in chunks. Every name is content-hashed, so a server
 * can cache them forever; the loader learns the names from the manifest.
 */
const autoloadModules = {
  input: {
    client: 'src/autoload/client.ts',
    ...Object.fromEntries(elementTags.map((tag) => [tag, `components/${tag}/${tag}.ts`])),
  },
  // The SDK's chunk is the `client` entry and also exports the short names the elements import; the loader reads only its `CometKit`.
  preserveEntrySignatures: 'allow-extension',
  plugins: [
    ...plugins({ dev: false }),
    {
      name: 'autoload-manifest',
      // `cometkitImport(row)`: the file's name is left in a comment, which the minifier then drops.
      renderDynamicImport: ({ targetChunk }) => {
        if (!targetChunk) return null;
        const row = fileRow(targetChunk.fileName);
        if (row === undefined) throw new Error(`dist/autoload: ${targetChunk.fileName} is not named as rollup.config.mjs names it.`);
        return { left: `${verifiedImport}(/* `, right: ` */ ${row})` };
      },
      buildStart() {
        sharedChunkRows.clear();
      },
      generateBundle(_, bundle) {
        refuseImportCycles(bundle);
        const chunks = Object.values(bundle).filter((chunk) => chunk.type === 'chunk');
        const rows = [];
        for (const chunk of chunks) {
          const row = fileRow(chunk.fileName);
          if (row === undefined || rows[row]) throw new Error(`dist/autoload: ${chunk.fileName} is not named as rollup.config.mjs names it.`);
          rows[row] = chunk;
        }
        if (rows.length !== chunks.length || rows.includes(undefined)) throw new Error('dist/autoload: a row has no module.');
        const row = (fileName) => rows.findIndex((chunk) => chunk.fileName === fileName);
        autoloadManifest.files = rows.map((chunk) => {
          // sha256, not the sha384 of browser-files.mjs: the loader carries one per module, and each is 20 B shorter.
          // The code as written: the maps are hidden, so no comment is added to it after this.
          const integrity = createHash('sha256').update(chunk.code).digest('base64');
          // The one `=` of a sha256 in base64 is added back by the loader.
          return [integrity.slice(0, -1), ...chunk.imports.map(row)];
        });
        // Every module's hash in one: a module that changes moves the whole build to a new folder.
        autoloadManifest.build = createHash('sha256').update(JSON.stringify(autoloadManifest.files)).digest('base64url').slice(0, 8);
        for (const chunk of rows) {
          // The chunk and the map asset rollup adds for it, both written again below.
          delete bundle[chunk.fileName];
          delete bundle[`${chunk.fileName}.map`];
          const fileName = `${autoloadManifest.build}/${chunk.fileName}`;
          this.emitFile({ type: 'asset', fileName, source: chunk.code });
          if (chunk.map) {
            // A folder deeper than rollup wrote it for: its sources are one `../` further.
            const map = { ...chunk.map, file: chunk.fileName, sources: chunk.map.sources.map((source) => `../${source}`) };
            this.emitFile({ type: 'asset', fileName: `${fileName}.map`, source: JSON.stringify(map) });
          }
        }
        // For people and tests: which module each file holds (not served, and no page needs it).
        this.emitFile({ type: 'asset', fileName: 'names.json', source: `${JSON.stringify(Object.fromEntries(rows.map((chunk) => [chunk.fileName, chunk.name])), null, 2)}\n` });
      },
    },
  ],
  output: {
    dir: 'dist/autoload',
    format: 'es',
    // Named by row (see autoloadManifest): the loader's table holds no names, and every import of a shared
    // chunk is a number. The folder, named by the build, is what tells a file's builds apart for caches.
    entryFileNames: (chunk) => `${chunk.name === 'client' ? 0 : chunk.name}.js`,
    chunkFileNames: (chunk) => {
      const key = chunk.moduleIds.join('\n') || chunk.name;
      if (!sharedChunkRows.has(key)) sharedChunkRows.set(key, elementTags.length + 1 + sharedChunkRows.size);
      return `${sharedChunkRows.get(key)}.js`;
    },
    manualChunks: autoloadChunks,
    sourcemap: scriptTagSourcemap,
  },
};

/** The loader itself: a classic script under a stable name, with the module names written in. */
const autoloadLoader = {
  input: 'src/autoload/loader.ts',
  plugins: [
    {
      name: 'autoload-manifest-module',
      resolveId: (id) => (id === 'virtual:cometkit-autoload-manifest' ? '\0autoload-manifest' : null),
      // Three names rather than one object: the minifier shortens a variable, never a property.
      load: (id) =>
        id === '\0autoload-manifest'
          ? Object.entries(autoloadManifest).map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`).join('\n')
          : null,
    },
    ...plugins({ dev: false, module: false }),
  ],
  output: { file: 'dist/cometkit-autoload.js', format: 'iife', sourcemap: scriptTagSourcemap },
};

export default [
  browserEsm(false),
  browserEsm(true),
  workerBuild(false),
  workerBuild(true),
  serviceWorkerBuild(false),
  serviceWorkerBuild(true),
  autoloadModules,
  autoloadLoader,
  {
    // The <script> tag build: one classic file, Lit inside, `window.CometKit`, elements defined.
    input: 'src/script-tag.ts',
    plugins: [polyfillAsScript, deviceVisibilityInWorker, ...plugins({ dev: false, module: false })],
    // A classic script cannot load chunks: any dynamic import left (a library's lazy layout, say) is inlined.
    output: { file: 'dist/cometkit.iife.js', format: 'iife', name: 'CometKit', sourcemap: true, inlineDynamicImports: true },
  },
  {
    input: { index: 'server/index.ts', cli: 'server/cli.ts' },
    // Dependencies of the package (jose, the Redis client): installed next to it, not copied into it.
    external: (id) =>
      id.startsWith('node:') || builtinModules.includes(id) || ['jose', '@redis/client'].some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: plugins({ dev: true, browser: false }),
    output: { dir: 'dist/server', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
];
