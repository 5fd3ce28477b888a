/**
 * Builds the React and Vue pages (demo/react/, demo/vue/) against the
 * package as built in dist/: `npx vite build --config demo/vite.config.mjs`.
 * `cometkit` resolves to dist/ through the package's own exports, as it
 * would from node_modules.
 */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^cometkit$/, replacement: dist('cometkit.js') },
      { find: /^cometkit\/components$/, replacement: dist('components.js') },
      // Types only: nothing to load at run time.
      { find: /^cometkit\/(react|vue)$/, replacement: fileURLToPath(new URL('./types-only.js', import.meta.url)) },
      // Vue's build with the template compiler, for the in-page template.
      { find: /^vue$/, replacement: 'vue/dist/vue.esm-bundler.js' },
    ],
  },
  define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: process.env.DEMO_OUT_DIR ?? `${root}/dist/demo`,
    emptyOutDir: true,
    rollupOptions: { input: { react: 'react/index.html', vue: 'vue/index.html' } },
  },
};
