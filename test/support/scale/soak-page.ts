/**
 * The page each soak tab loads: cometkit from /dist/, a leader-tab hub shared
 * by every tab, the channels from the query, and every event recorded with
 * the wall-clock time it reached the handler.
 */
export const SOAK_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>soak tab</title>
<script type="module">
  const params = new URLSearchParams(location.search);
  const soak = (window.soak = { ready: false, received: {}, decisions: [] });
  const { createClient } = await import('/dist/cometkit.js');
  const client = createClient({
    url: params.get('url'),
    hub: params.get('hub'),
    host: 'leader-tab',
    helloTimeoutMs: 2000,
    reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
    ladder: { reprobeMs: 3000, rememberMs: 10000 },
  });
  client.addEventListener('transportdecision', (event) => soak.decisions.push(event.decision.reason + ':' + event.decision.transport));
  const subscriptions = params.getAll('ch').map((channel) => {
    const list = (soak.received[channel] = []);
    return client.subscribe(channel, (event) => list.push([event.id, performance.timeOrigin + performance.now()]));
  });
  Promise.all(subscriptions.map((s) => s.ready)).then(() => (soak.ready = true));
</script>`;
