// The chat demo: send with acknowledgement, typing indicators through presence state, who is online.
const { configure } = window.CometKit;
const me = window.demoIdentity();
const CHANNEL = 'demo.chat';
const client = configure({ url: '/comet', identity: me, workerUrl: new URL('/dist/worker.js', location.href).href });
document.getElementById('me').textContent = me.name;

const list = document.getElementById('messages');
/** Lines by event id: an event that arrives twice (history and stream, or stream and acknowledgement) shows once. */
const shown = new Map();

function newLine() {
  const item = document.createElement('li');
  item.append(document.createElement('strong'), document.createTextNode(' '), document.createElement('span'), document.createElement('small'));
  list.append(item);
  list.scrollTop = list.scrollHeight;
  return item;
}

/** Fills a line, as text; without an id the message is still on its way. */
function fill(item, data, stored) {
  item.children[0].textContent = String(data?.name ?? 'Someone');
  item.children[1].textContent = String(data?.text ?? '');
  item.children[2].textContent = stored ? '' : ' sending…';
  return item;
}

function show(event) {
  if (!shown.has(event.id)) shown.set(event.id, fill(newLine(), event.data, true));
}

// Earlier messages first, then live ones; an event in both has the same id and shows once.
const subscription = client.subscribe(CHANNEL, (event) => show(event));
void client.history(CHANNEL, { limit: 50 }).then((events) => {
  for (const event of events) if (!shown.has(event.id)) show(event);
}, () => {});

const roster = client.presence(CHANNEL);
const online = document.getElementById('online');
const typing = document.getElementById('typing');
function renderPresence() {
  online.replaceChildren(
    ...roster.members.map((member) => {
      const li = document.createElement('li');
      li.textContent = member.user === me.user ? `${member.name} (you)` : member.name;
      return li;
    }),
  );
  const typists = roster.members.filter((member) => member.user !== me.user && member.state?.typing).map((member) => member.name);
  typing.textContent = typists.length === 0 ? '' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`;
}
roster.addEventListener('change', renderPresence);

// Typing: set on input, cleared after two quiet seconds or when the message goes. setState() throttles.
const input = document.getElementById('text');
let quiet;
input.addEventListener('input', () => {
  roster.setState(input.value ? { typing: true } : null);
  clearTimeout(quiet);
  quiet = setTimeout(() => roster.setState(null), 2000);
});

const error = document.getElementById('send-error');
document.getElementById('compose').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  clearTimeout(quiet);
  roster.setState(null);
  error.textContent = '';
  const pending = fill(newLine(), { name: me.name, text }, false);
  try {
    // Resolves once stored. The same event also comes through the subscription: whichever is first fills the line.
    const stored = await client.send(CHANNEL, { name: me.name, text }, { type: 'chat.message' });
    if (shown.has(stored.id)) pending.remove();
    else shown.set(stored.id, fill(pending, stored.data, true));
  } catch (failure) {
    pending.remove();
    error.textContent = `Not sent: ${failure.message}`;
  }
});
window.addEventListener('pagehide', () => subscription.unsubscribe());
