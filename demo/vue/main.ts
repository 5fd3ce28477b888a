/**
 * cometkit in a Vue 3 app: the elements in a template (typed by
 * `cometkit/vue`) and the SDK in a composable. Built with Vite
 * (demo/vite.config.mjs), with Vue's runtime template compiler.
 */
import { createApp, onMounted, onUnmounted, ref, type Ref } from 'vue';
import { createClient, type CometEvent } from 'cometkit';
import 'cometkit/components';
import type {} from 'cometkit/vue';

const url = new URL('/comet', location.href).href;
const client = createClient({ url });

/** The latest event of a channel, through the SDK. */
function useLatest(channel: string): Ref<CometEvent | undefined> {
  const latest = ref<CometEvent>();
  let unsubscribe = (): void => {};
  onMounted(() => {
    unsubscribe = client.subscribe(channel, (event) => (latest.value = event)).unsubscribe;
  });
  onUnmounted(() => unsubscribe());
  return latest;
}

const app = createApp({
  setup() {
    const latest = useLatest('demo.news');
    const title = (event: CometEvent | undefined): string => (event ? `Latest: ${(event.data as { title?: string })?.title ?? event.type}` : 'Waiting for news…');
    return { latest, title, url };
  },
  template: `
    <main>
      <h1>cometkit in Vue</h1>
      <p data-testid="latest">{{ title(latest) }}</p>
      <comet-connection :url="url">
        <comet-status></comet-status>
        <comet-feed channel="demo.news" :limit="10"></comet-feed>
      </comet-connection>
    </main>
  `,
});
// The comet-* tags are custom elements, not Vue components.
app.config.compilerOptions.isCustomElement = (tag) => tag.startsWith('comet-');
app.mount('#app');
