/**
 * The README's first steps against `cometkit-server --dev` (a process of its
 * own, started by the harness on the first request): a client whose token is
 * `() => fetch('{base}/dev-token?user=…').then((r) => r.text())` sends, and its
 * inbox works, with nothing else configured.
 */
import { expect } from '@esm-bundle/chai';
import { createClient, type CometClient, type CometEvent } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';
import { ownClients } from '../support/own-clients.js';

const harness = getTestServer();
const clients = ownClients();

async function devServer(): Promise<string> {
  const res = await fetch(`${harness.url}/control/dev-server`, { method: 'POST' });
  const body = (await res.json()) as { comet?: string; error?: { message: string } };
  if (!body.comet) throw new Error(`no --dev server: ${body.error?.message}`);
  return body.comet;
}

/** As the README writes it, with the dev server's address in place of the app's own /comet. */
function readmeClient(comet: string, user: string): CometClient {
  return clients.keep(createClient({ url: comet, token: () => fetch(`${comet}/dev-token?user=${encodeURIComponent(user)}`).then((r) => r.text()), hub: `dev-${user}` }));
}

describe('cometkit-server --dev with the README\'s token function', function () {
  this.timeout(60_000);

  it('a send reaches a subscriber, signed as the user the token names', async () => {
    const comet = await devServer();
    const user = uniqueChannel('ada');
    const channel = uniqueChannel('room');
    const client = readmeClient(comet, user);
    const events: CometEvent[] = [];
    await client.subscribe(channel, (event) => events.push(event)).ready;
    const sent = await client.send(channel, { text: 'hello from ada' }, { type: 'chat.message' });
    await waitFor(() => events.some((event) => event.id === sent.id), 10_000, 'the sent event back on the stream');
    expect(events.find((event) => event.id === sent.id)?.data).to.deep.equal({ text: 'hello from ada' });
  });

  it('the inbox of the token\'s user gets what the backend adds, and marks it read', async () => {
    const comet = await devServer();
    const user = uniqueChannel('grace');
    const inbox = await readmeClient(comet, user).inbox();
    await inbox.start();
    expect(inbox.counts).to.deep.equal({ total: 0, unseen: 0, unread: 0 });
    const added: number[] = [];
    inbox.addEventListener('added', (event) => added.push(event.item.id));
    const notify = await fetch(`${harness.url}/control/dev-server/notify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, type: 'comment', data: { title: 'Ada replied' } }),
    });
    expect(notify.status).to.equal(200);
    await waitFor(() => added.length === 1, 10_000, 'the notification live in the inbox');
    expect(inbox.counts).to.deep.equal({ total: 1, unseen: 1, unread: 1 });
    await inbox.markRead([added[0]!]);
    await waitFor(() => inbox.counts?.unread === 0, 10_000, 'the item read');
  });
});
