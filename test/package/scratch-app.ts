/**
 * The files of a scratch app that uses the packed cometkit the way an app
 * does: an SPA entry, the elements, the worker file, a strict tsconfig and
 * a Vite config that bundles them (code splitting on, as Vite does), and a
 * Vue component whose template vue-tsc checks against the element types.
 */
export const scratchFiles: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'cometkit-scratch-app', private: true, type: 'module' }, null, 2),
  // createClient + one subscribe: the budgeted SPA import.
  'src/spa.ts': `import { createClient, isCometError, type CometEvent } from 'cometkit';
const client = createClient({ url: '/comet' });
client.subscribe<{ title: string }>('news', (event: CometEvent<{ title: string }>) => console.log(event.data.title));
client.addEventListener('error', (event) => console.log(isCometError(event.error) ? event.error.code : 'unknown'));
`,
  // The bare import defines the elements; a type-only use of an import would be elided by TypeScript.
  'src/components.ts': `import 'cometkit/components';
import type { CometFeed } from 'cometkit/components';
import { configure } from 'cometkit';
configure({ url: '/comet' });
const feed: CometFeed = document.createElement('comet-feed');
feed.channel = 'news';
document.body.append(feed);
`,
  'src/worker.ts': `import 'cometkit/worker';\n`,
  // Types only: the server entry is for Node.
  'src/server-types.ts': `import type { CometServerOptions } from 'cometkit/server';
export const options: CometServerOptions = { basePath: '/comet' };
`,
  // A Vue component using the elements: its template is checked against cometkit/vue by vue-tsc.
  // The composables come from the same entry (React is an optional peer the app does not install).
  'src/App.vue': `<script setup lang="ts">
import { useChannel } from 'cometkit/vue';
const { latest, live } = useChannel<{ title: string }>('news', { limit: 10 });
</script>

<template>
  <p>{{ live ? latest?.data.title : 'Connecting…' }}</p>
  <comet-connection url="/comet" host="leader-tab">
    <comet-feed channel="news" :limit="10" theme="dark" :strings="{ empty: 'Nothing yet.' }"></comet-feed>
    <comet-status :hideTransport="true"></comet-status>
    <!-- @vue-expect-error limit is a number -->
    <comet-feed channel="news" :limit="'ten'"></comet-feed>
    <!-- @vue-expect-error theme is light, dark or auto -->
    <comet-feed channel="news" theme="blue"></comet-feed>
  </comet-connection>
</template>
`,
  'tsconfig.vue.json': JSON.stringify(
    {
      extends: './tsconfig.json',
      compilerOptions: { types: [] },
      include: ['src/**/*.vue'],
      vueCompilerOptions: { strictTemplates: true },
    },
    null,
    2,
  ),
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        // What a user's project checks; a dependency's own .d.ts files must pass it too.
        skipLibCheck: false,
      },
      include: ['src'],
    },
    null,
    2,
  ),
  'vite.config.mjs': `const entries = { spa: 'src/spa.ts', components: 'src/components.ts', worker: 'src/worker.ts' };
const only = process.env.SCRATCH_ENTRIES?.split(',');
export default {
  logLevel: 'warn',
  build: {
    manifest: true,
    minify: true,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: { input: only ? Object.fromEntries(only.map((name) => [name, entries[name]])) : entries },
  },
};
`,
};
