// Builds every output of the package. esbuild transpiles (TypeScript 7 has no
// JS API for rollup's TypeScript plugin); `tsc` checks types and emits .d.ts.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';

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
 * run there: the worker build leaves it out rather than carry it unused.
 */
const noPolyfillInWorker = {
  name: 'no-eventsource-polyfill-in-worker',
  resolveId(source, importer) {
    if (importer && source === './import-eventsource-polyfill.js') return '\0no-eventsource-polyfill';
    return null;
  },
  load(id) {
    return id === '\0no-eventsource-polyfill' ? 'export async function importEventSourcePolyfill() { return undefined; }' : null;
  },
};

/**
 * The SharedWorker script (`cometkit/worker`): one self-contained module, so
 * a site hosts a single file on its own origin (see ARCHITECTURE.md).
 */
const workerBuild = (dev) => ({
  input: 'src/worker.ts',
  plugins: [noPolyfillInWorker, ...plugins({ dev })],
  output: { file: dev ? 'dist/dev/worker.js' : 'dist/worker.js', format: 'es', inlineDynamicImports: true, sourcemap: true },
});

const browserEntries = {
  cometkit: 'src/index.ts',
  components: 'components/index.ts',
};
const target = 'es2022';

/** Lit and @lit/context stay external in the ESM builds so an app that uses Lit loads it once. */
const isLit = (id) => /^(lit|lit-html|lit-element|@lit\/[^/]+|@lit-labs\/[^/]+)(\/|$)/.test(id);

const plugins = ({ dev, browser = true }) => [
  declarePolyfillGlobals,
  nodeResolve({ browser, exportConditions: dev ? ['development'] : [], preferBuiltins: !browser }),
  commonjs(),
  esbuild({ target, minify: !dev, define: { __DEV__: String(dev) }, legalComments: 'none' }),
];

const browserEsm = (dev) => ({
  input: browserEntries,
  external: isLit,
  plugins: plugins({ dev }),
  output: {
    dir: dev ? 'dist/dev' : 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
  },
});

export default [
  browserEsm(false),
  browserEsm(true),
  workerBuild(false),
  workerBuild(true),
  {
    // The <script> tag build: one classic file, Lit inside, `window.CometKit`, elements defined.
    input: 'src/script-tag.ts',
    plugins: [polyfillAsScript, ...plugins({ dev: false })],
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
