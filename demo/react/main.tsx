/**
 * cometkit in a React 19 app: the elements in JSX (typed by `cometkit/react`)
 * and the SDK through the hooks of `cometkit/react`. Built with Vite
 * (demo/vite.config.mjs); the query says which server (demo/shared/page-settings.ts).
 *
 * React 19 passes `channel`, `limit` and `strings` to the elements as
 * properties (the elements have them) and `hide-transport` as an attribute.
 */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from 'cometkit';
import 'cometkit/components';
import type { CometFeedStrings } from 'cometkit/components';
import { useChannel } from 'cometkit/react';
import { latestText } from '../shared/latest-text.js';
import { pageSettings } from '../shared/page-settings.js';

const { url, channels, hub } = pageSettings(location);
const client = createClient({ url, hub });
const feedStrings: Partial<CometFeedStrings> = { empty: 'Nothing on this channel yet.' };

function LivePanel({ channel, limit, showTransport }: { channel: string; limit: number; showTransport: boolean }) {
  const { latest, live } = useChannel(channel, { client });
  return (
    <section aria-label="Live">
      <p id="latest" aria-live="polite">{latestText(channel, live, latest)}</p>
      <comet-connection url={url} hub={hub}>
        <comet-status hide-transport={!showTransport}></comet-status>
        <comet-feed channel={channel} limit={limit} strings={feedStrings}></comet-feed>
      </comet-connection>
    </section>
  );
}

function App() {
  const [channel, setChannel] = useState<string>(channels[0]);
  const [fewer, setFewer] = useState(false);
  const [showTransport, setShowTransport] = useState(true);
  const [shown, setShown] = useState(true);
  return (
    <main>
      <h1>cometkit in React</h1>
      <fieldset>
        <legend>Channel</legend>
        {channels.map((name) => (
          <label key={name}>
            <input type="radio" name="channel" value={name} checked={channel === name} onChange={() => setChannel(name)} /> {name}
          </label>
        ))}
      </fieldset>
      <label>
        <input type="checkbox" checked={fewer} onChange={(event) => setFewer(event.target.checked)} /> Only the last 3
      </label>
      <label>
        <input type="checkbox" checked={showTransport} onChange={(event) => setShowTransport(event.target.checked)} /> Show the transport
      </label>
      <label>
        <input type="checkbox" checked={shown} onChange={(event) => setShown(event.target.checked)} /> Live panel
      </label>
      {shown && <LivePanel channel={channel} limit={fewer ? 3 : 10} showTransport={showTransport} />}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
