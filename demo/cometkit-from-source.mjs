/**
 * A Vite plugin that gives the demo pages `cometkit` and
 * `cometkit/components` from this repository's sources, transpiled as
 * rollup.config.mjs does (esbuild, es2022, `__DEV__` defined), so a build
 * shows the code in the tree, never a stale dist/. (The package as users
 * install it is bundled with Vite in test/node/package.test.ts.)
 */
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  cometkit: `${root}src/index.ts`,
  'cometkit/components': `${root}components/index.ts`,
};
// Types only: nothing to load at run time.
const typesOnly = /^cometkit\/(react|vue)$/;
const ownSource = /\.ts$/;
const isOwn = (id) => (id.startsWith(`${root}src/`) || id.startsWith(`${root}components/`)) && ownSource.test(id);

export function cometkitFromSource({ dev = false } = {}) {
  return {
    name: 'cometkit-from-source',
    enforce: 'pre',
    resolveId(source) {
      if (Object.hasOwn(entries, source)) return entries[source];
      if (typesOnly.test(source)) return '\0cometkit-types-only';
      return null;
    },
    load(id) {
      return id === '\0cometkit-types-only' ? 'export {};' : null;
    },
    async transform(code, id) {
      if (!isOwn(id)) return null;
      // Oxc, Vite's own transform, leaves standard decorators (Lit's `@property() accessor`) as they are.
      const result = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: true, sourcefile: id, define: { __DEV__: String(dev) } });
      // The package's "sideEffects" names files in dist/; in the sources, the modules that define the elements have effects too.
      return { code: result.code, map: result.map, moduleSideEffects: true };
    },
  };
}
