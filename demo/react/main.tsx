/**
 * cometkit in a React 19 app: the elements in JSX (typed by `cometkit/react`)
 * and the SDK in a hook. Built with Vite (demo/vite.config.mjs).
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, type CometEvent } from 'cometkit';
import 'cometkit/components';
import type {} from 'cometkit/react';

const url = new URL('/comet', location.href).href;
const client = createClient({ url });

/** The latest event of a channel, through the SDK. */
function useLatest(channel: string): CometEvent | undefined {
  const [latest, setLatest] = useState<CometEvent>();
  useEffect(() => {
    const subscription = client.subscribe(channel, setLatest);
    return () => subscription.unsubscribe();
  }, [channel]);
  return latest;
}

function App() {
  const latest = useLatest('demo.news');
  return (
    <main>
      <h1>cometkit in React</h1>
      <p data-testid="latest">{latest ? `Latest: ${(latest.data as { title?: string })?.title ?? latest.type}` : 'Waiting for news…'}</p>
      <comet-connection url={url}>
        <comet-status></comet-status>
        <comet-feed channel="demo.news" limit={10}></comet-feed>
      </comet-connection>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
