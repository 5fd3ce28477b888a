/**
 * The hooks under `<StrictMode>` (effects mount, unmount and mount again),
 * with the page's default client: `configure()`, no `client` passed.
 */
import { StrictMode, useEffect, useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import { configure } from 'cometkit';
import { useChannel, useInboxCounts, usePresence } from 'cometkit/react';
import { pageQuery, type View } from '../shared.js';

const { url, hub, channel, token, late } = pageQuery(location);
const configureClient = (): void => void configure({ url, hub, token });
if (!late) configureClient();
// Which React this build holds (the test builds this page with React 19 and with React 18).
document.body.dataset['react'] = version;

/** How often a panel's effects have been set up: StrictMode sets them up twice per mount. */
let mounts = 0;

function EventsPanel({ generation }: { generation: number }) {
  const { events, live } = useChannel<{ n: number }>(channel);
  useEffect(() => {
    mounts += 1;
    document.body.dataset['mounts'] = String(mounts);
  }, []);
  return (
    <section id="panel" data-generation={generation}>
      <p id="live">{live ? 'live' : 'waiting'}</p>
      <ol id="events">
        {events.map((event) => (
          <li key={event.id}>{event.data.n}</li>
        ))}
      </ol>
    </section>
  );
}

function PeoplePanel({ generation }: { generation: number }) {
  const { members, loaded } = usePresence(channel);
  const { counts } = useInboxCounts();
  return (
    <section id="panel" data-generation={generation}>
      <p id="members">{loaded ? members.map((member) => member.user).join(',') : 'loading'}</p>
      <p id="unread">{counts ? String(counts.unread) : 'unknown'}</p>
    </section>
  );
}

function App() {
  const [view, setView] = useState<View>({ panel: null, generation: 0 });
  useEffect(() => {
    window.bindingsPage = { show: setView, configure: configureClient };
  }, []);
  // A new key unmounts the panel and mounts a new one in the same commit, as a route change does.
  if (view.panel === 'events') return <EventsPanel key={view.generation} generation={view.generation} />;
  if (view.panel === 'people') return <PeoplePanel key={view.generation} generation={view.generation} />;
  return <p id="empty">No panel</p>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
