/**
 * A Vite plugin that gives the demo pages `cometkit`, `cometkit/components`,
 * `cometkit/react` and `cometkit/vue` from this repository's sources, transpiled as
 * rollup.config.mjs does for the production build (esbuild, es2022,
 * `__DEV__` false), so a build shows the code in the tree, never a stale
 * dist/. The package as users install it is bundled with Vite in
 * test/node/package.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  cometkit: `${root}src/index.ts`,
  'cometkit/components': `${root}components/index.ts`,
  'cometkit/react': `${root}src/bindings/react.ts`,
  'cometkit/vue': `${root}src/bindings/vue.ts`,
};
const isSource = (id) => (id.startsWith(`${root}src/`) || id.startsWith(`${root}components/`)) && id.endsWith('.ts');

export function cometkitFromSource() {
  return {
    name: 'cometkit-from-source',
    enforce: 'pre',
    resolveId(source) {
      return Object.hasOwn(entries, source) ? entries[source] : null;
    },
    async transform(code, id) {
      if (!isSource(id)) return null;
      // Oxc, Vite's own transform, leaves standard decorators (Lit's `@property() accessor`) untransformed.
      const result = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: true, sourcefile: id, define: { __DEV__: 'false' } });
      // The package's "sideEffects" names files in dist/: in the sources, the modules that define the elements would be dropped.
      return { code: result.code, map: result.map, moduleSideEffects: true };
    },
  };
}
