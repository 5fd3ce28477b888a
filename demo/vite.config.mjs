/**
 * Builds the React and Vue pages (demo/react/, demo/vue/) from this
 * repository's sources: `npx vite build --config demo/vite.config.mjs`
 * (into dist/demo/, or DEMO_OUT_DIR). The browser tests build them the same
 * way once per run (test/support/framework-pages.ts).
 */
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { cometkitFromSource } from './cometkit-from-source.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [
    cometkitFromSource(),
    // The comet-* tags are custom elements, not Vue components.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('comet-') } } }),
  ],
  define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: process.env.DEMO_OUT_DIR ?? `${root}dist/demo`,
    emptyOutDir: true,
    rollupOptions: { input: { react: 'react/index.html', vue: 'vue/index.html' } },
  },
};
