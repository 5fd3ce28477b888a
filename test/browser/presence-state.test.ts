/** Member states through two clients with connections of their own: a typing indicator appears for the other and clears. */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../src/index.js';
import type { PresenceChangeEvent } from '../../src/presence/presence-roster.js';
import { uniqueChannel, waitFor } from '../support/env.js';
import { ownClients } from '../support/own-clients.js';

const clients = ownClients();
const member = (sub: string, hub: string): Promise<CometClient> => clients.open({ sub, name: sub.toUpperCase(), channels: ['t.*', 'presence:t.*'] }, hub);

describe('presence state', function () {
  this.timeout(15_000);

  it('a typing state appears for the others and clears', async () => {
    const channel = uniqueChannel('t.chat');
    const ada = (await member(`ada-${channel}`, `${channel}-ada`)).presence(channel);
    const bob = (await member(`bob-${channel}`, `${channel}-bob`)).presence(channel);
    const updates: Array<{ user: string; state: unknown }> = [];
    bob.addEventListener('change', (event: PresenceChangeEvent) => {
      for (const changed of event.updated) updates.push({ user: changed.user, state: changed.state });
    });
    const stateOfAda = (): unknown => bob.members.find((m) => m.user === `ada-${channel}`)?.state;
    await waitFor(() => bob.has(`ada-${channel}`), 8000, 'ada in bob\'s roster');

    ada.setState({ typing: true });
    await waitFor(() => (stateOfAda() as { typing?: boolean } | undefined)?.typing === true, 8000, 'ada typing');
    ada.setState(null);
    await waitFor(() => bob.has(`ada-${channel}`) && stateOfAda() === undefined, 8000, 'ada no longer typing');
    expect(updates).to.deep.equal([
      { user: `ada-${channel}`, state: { typing: true } },
      { user: `ada-${channel}`, state: undefined },
    ]);
  });

  it('sends only the latest of a burst of states', async () => {
    const channel = uniqueChannel('t.chat');
    const ada = (await member(`ada-${channel}`, `${channel}-ada`)).presence(channel);
    const bob = (await member(`bob-${channel}`, `${channel}-bob`)).presence(channel);
    const seen: unknown[] = [];
    bob.addEventListener('change', (event: PresenceChangeEvent) => event.updated.forEach((m) => seen.push(m.state)));
    await waitFor(() => bob.has(`ada-${channel}`), 8000, 'ada in bob\'s roster');
    for (let i = 1; i <= 30; i += 1) ada.setState({ cursor: i });
    await waitFor(() => (seen.at(-1) as { cursor?: number } | undefined)?.cursor === 30, 8000, 'the last cursor');
    // Throttled: far fewer states reached the others than were set, and the last one always does.
    expect(seen.length).to.be.below(30);
  });

  it('a watcher that does not announce cannot set a state', async () => {
    const channel = uniqueChannel('t.chat');
    const watcher = (await member(`w-${channel}`, `${channel}-w`)).presence(channel, { announce: false });
    expect(() => watcher.setState({ typing: true })).to.throw(/announce/);
  });
});
