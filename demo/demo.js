// Shows the default client's connection state; the feeds need no script at all.
const client = window.CometKit.getDefaultClient();
const stateOutput = document.getElementById('state');
const transportOutput = document.getElementById('transport');
const show = () => {
  stateOutput.textContent = client.state;
  transportOutput.textContent = client.transport ?? '—';
};
client.addEventListener('statechange', show);
show();
const origin = location.origin;
for (const code of document.querySelectorAll('pre code')) {
  code.textContent = code.textContent.replace('http://HOST:PORT', origin);
}
