/** The composables in components' `setup()`, with the page's default client: `configure()`, no `client` passed. */
import { createApp, defineComponent, h, onMounted, shallowRef } from 'vue';
import { configure } from 'cometkit';
import { useChannel, useInboxCounts, usePresence } from 'cometkit/vue';
import { pageQuery, type View } from '../shared.js';

const { url, hub, channel, token, late } = pageQuery(location);
const configureClient = (): void => void configure({ url, hub, token });
if (!late) configureClient();

const EventsPanel = defineComponent({
  props: { generation: { type: Number, required: true } },
  setup(props) {
    const { events, live } = useChannel<{ n: number }>(() => channel);
    return () =>
      h('section', { id: 'panel', 'data-generation': props.generation }, [
        h('p', { id: 'live' }, live.value ? 'live' : 'waiting'),
        h('ol', { id: 'events' }, events.value.map((event) => h('li', { key: event.id }, String(event.data.n)))),
      ]);
  },
});

const PeoplePanel = defineComponent({
  props: { generation: { type: Number, required: true } },
  setup(props) {
    const { members, loaded } = usePresence(channel);
    const { counts } = useInboxCounts();
    return () =>
      h('section', { id: 'panel', 'data-generation': props.generation }, [
        h('p', { id: 'members' }, loaded.value ? members.value.map((member) => member.user).join(',') : 'loading'),
        h('p', { id: 'unread' }, counts.value ? String(counts.value.unread) : 'unknown'),
      ]);
  },
});

const App = defineComponent({
  setup() {
    const view = shallowRef<View>({ panel: null, generation: 0 });
    onMounted(() => {
      window.bindingsPage = { show: (next) => (view.value = next), configure: configureClient };
    });
    // A new key unmounts the panel and mounts a new one in the same render, as a route change does.
    return () => {
      const { panel, generation } = view.value;
      if (panel === 'events') return h(EventsPanel, { key: generation, generation });
      if (panel === 'people') return h(PeoplePanel, { key: generation, generation });
      return h('p', { id: 'empty' }, 'No panel');
    };
  },
});

createApp(App).mount('#app');
