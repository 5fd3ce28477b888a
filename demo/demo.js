// The main demo's script: a client with a demo identity (the server accepts
// anonymous presence because it has no token secret), and the toast buttons. The elements need nothing else.
const { configure } = window.CometKit;

// One identity per browser (demo/identity.js, shared with the chat and inbox demos): two tabs are one person.
const me = window.demoIdentity();
// ?transport=sse|iframe|long-poll forces one transport. The iframe needs a DOM, so that choice keeps
// the shared connection in a leader tab instead of the SharedWorker. A hub of another choice may
// still be running in other tabs: close them, or the first tab's choice holds.
const forced = new URLSearchParams(location.search).get('transport');
const client = configure({
  url: '/comet',
  identity: me,
  ...(forced ? { transports: [forced], hub: `demo-${forced}` } : {}),
  ...(forced === 'iframe' ? { host: 'leader-tab' } : { workerUrl: new URL('/dist/worker.js', location.href).href }),
});
const choice = document.getElementById('transport-choice');
choice.value = forced ?? '';
choice.addEventListener('change', () => {
  const url = new URL(location.href);
  if (choice.value) url.searchParams.set('transport', choice.value);
  else url.searchParams.delete('transport');
  location.href = url.href;
});
const showTransport = () => {
  document.getElementById('transport-now').textContent = client.transport ?? '—';
  const last = client.decisions.at(-1);
  document.getElementById('transport-why').textContent = last ? `${last.reason}: ${last.detail}` : '—';
};
client.addEventListener('statechange', showTransport);
client.addEventListener('transportdecision', showTransport);
showTransport();
document.getElementById('me').textContent = me.name;
document.getElementById('my-name').textContent = `${me.name} (you)`;
const badge = document.getElementById('my-badge');
badge.user = me.user;
badge.label = me.name;

const toasts = document.querySelector('comet-toasts');
const log = document.getElementById('log');
const samples = {
  info: { title: 'Heads up', message: 'Maintenance on Sunday 02:00–03:00 UTC' },
  success: { title: 'Saved', message: 'Your settings are live', actions: [{ label: 'Undo', value: 'undo' }] },
  warning: { title: 'Quota at 85 %', message: 'Consider archiving old reports' },
  error: { title: 'Upload failed', message: 'The server refused the file (413)', actions: [{ label: 'Retry', value: 'retry' }] },
};
for (const button of document.querySelectorAll('[data-severity]')) {
  button.addEventListener('click', () => toasts.toast({ ...samples[button.dataset.severity], severity: button.dataset.severity }));
}
document.getElementById('duplicates').addEventListener('click', () => {
  for (let i = 0; i < 3; i += 1) toasts.toast({ title: 'Reconnected', severity: 'info' });
});
document.getElementById('reduce').addEventListener('change', (event) => {
  toasts.motion = event.target.checked ? 'reduce' : 'auto';
});
for (const type of ['comet-toast-action', 'comet-notification', 'comet-bell-read', 'comet-presence-change', 'comet-status-change']) {
  document.addEventListener(type, (event) => {
    const detail = event.detail;
    const what =
      type === 'comet-toast-action' ? `action "${detail.action.label}"`
      : type === 'comet-notification' ? `notification "${detail.event.data?.title ?? ''}"`
      : type === 'comet-bell-read' ? `${detail.ids.length} marked read`
      : type === 'comet-presence-change' ? `${detail.joined.map((m) => m.name).join(', ') || '—'} joined, ${detail.left.map((m) => m.name).join(', ') || '—'} left`
      : `connection ${detail.state}`;
    log.textContent = `${type}: ${what}`;
  });
}

// The server's own count of open streams: one per browser however many tabs, thanks to the shared hub.
const streams = document.getElementById('streams');
async function showStreams() {
  try {
    const health = await (await fetch('/comet/health', { cache: 'no-store' })).json();
    streams.textContent = String(health.streams);
  } catch {
    streams.textContent = '?';
  }
}
void showStreams();
setInterval(showStreams, 2000);

for (const code of document.querySelectorAll('pre code')) {
  code.textContent = code.textContent.replace('http://HOST:PORT', location.origin);
}
