// Builds every output of the package. esbuild transpiles (TypeScript 7 has no
// JS API for rollup's TypeScript plugin); `tsc` checks types and emits .d.ts.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { builtinModules } from 'node:module';
import esbuild from 'rollup-plugin-esbuild';

const browserEntries = {
  cometkit: 'src/index.ts',
  components: 'components/index.ts',
};
const target = 'es2022';

/** Lit and @lit/context stay external in the ESM builds so an app that uses Lit loads it once. */
const isLit = (id) => /^(lit|@lit\/|@lit-labs\/|lit-html|lit-element)(\/|$)/.test(id);

const plugins = ({ dev, browser = true }) => [
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
  {
    // The <script> tag build: one classic file, Lit inside, `window.CometKit`, elements defined.
    input: 'src/script-tag.ts',
    plugins: plugins({ dev: false }),
    output: { file: 'dist/cometkit.iife.js', format: 'iife', name: 'CometKit', sourcemap: true },
  },
  {
    input: { index: 'server/index.ts', cli: 'server/cli.ts' },
    external: (id) => id.startsWith('node:') || builtinModules.includes(id),
    plugins: plugins({ dev: true, browser: false }),
    output: { dir: 'dist/server', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
];
