/**
 * cometkit in a Vue 3 app: the elements in single-file components' templates
 * (typed by `cometkit/vue`, checked by vue-tsc) and the SDK through the
 * composables of `cometkit/vue` (LivePanel.vue). Built with Vite and @vitejs/plugin-vue
 * (demo/vite.config.mjs); the query says which server (demo/shared/page-settings.ts).
 *
 * Vue sets a bound value as a property when the element has one under the
 * name bound (`:channel`, `:limit`, `:strings`, `:hideTransport`), else as
 * an attribute: `:hide-transport="false"` would set the attribute to
 * "false", which a boolean attribute reads as true.
 */
import { createApp } from 'vue';
import 'cometkit/components';
import type {} from 'cometkit/vue';
import App from './App.vue';

createApp(App).mount('#app');
