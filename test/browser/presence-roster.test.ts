/**
 * The client's presence roster against the real server, with its
 * subscription to presence:<channel> in the test's hands: events can be
 * withheld or delivered out of turn, as a stream that joined late would.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../src/protocol/messages.js';
import { PresenceManager } from '../../src/presence/presence-manager.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();

function controlledSubscription() {
  const handlers: Array<(event: CometEvent) => void> = [];
  const gaps: Array<() => void> = [];
  return {
    deliver: (event: CometEvent) => handlers.forEach((handler) => handler(event)),
    gap: () => gaps.forEach((onGap) => onGap()),
    subscribe: (_channel: string, handler: (event: CometEvent) => void, onGap: () => void) => {
      handlers.push(handler);
      gaps.push(onGap);
      return { unsubscribe: () => undefined, ready: Promise.resolve() };
    },
  };
}

describe('presence roster (client)', function () {
  this.timeout(10_000);
  const managers: PresenceManager[] = [];
  afterEach(() => managers.splice(0).forEach((manager) => manager.close()));

  async function manager(sub: string, subscribe = controlledSubscription().subscribe): Promise<PresenceManager> {
    const token = await server.token({ sub, name: sub.toUpperCase(), channels: ['t.*', 'presence:t.*'] });
    const created = new PresenceManager({ url: server.comet, token, withCredentials: false, identity: undefined, subscribe });
    managers.push(created);
    return created;
  }

  it('reads the roster again when an event does not follow the last position it applied', async () => {
    const channel = uniqueChannel();
    const stream = controlledSubscription();
    const watcher = (await manager('watcher', stream.subscribe)).roster(channel, { announce: false });
    await waitFor(() => watcher.loaded, 5000, 'first roster');
    expect(watcher.count).to.equal(0);
    // Ada joins, but the stream "missed" her join: the roster cannot know yet.
    const ada = (await manager('ada')).roster(channel);
    await waitFor(() => ada.self !== undefined, 5000, 'ada announced');
    expect(watcher.has('ada')).to.equal(false);
    // The next event seen skips a position: the roster is read again and Ada is there.
    const later = await server.publish(`presence:${channel}`, { user: 'nobody', reason: 'left' }, 'presence.leave');
    const changed = new Promise<string[]>((resolve) => watcher.addEventListener('change', (event) => resolve(event.joined.map((m) => m.user)), { once: true }));
    stream.deliver(later);
    expect(await changed).to.deep.equal(['ada']);
    expect(watcher.members.map((m) => m.name)).to.deep.equal(['ADA']);
  });

  it('applies joins and leaves that follow its position, and ignores those already in the roster', async () => {
    const channel = uniqueChannel();
    const stream = controlledSubscription();
    const watcher = (await manager('watcher2', stream.subscribe)).roster(channel, { announce: false });
    await waitFor(() => watcher.loaded, 5000, 'first roster');
    const join = await server.publish(`presence:${channel}`, { user: 'bo', name: 'Bo', since: Date.now() }, 'presence.join');
    stream.deliver(join);
    expect(watcher.members.map((m) => m.user)).to.deep.equal(['bo']);
    stream.deliver(join);
    expect(watcher.count, 'a replay changes nothing').to.equal(1);
    const leave = await server.publish(`presence:${channel}`, { user: 'bo', reason: 'timeout' }, 'presence.leave');
    stream.deliver(leave);
    expect(watcher.count).to.equal(0);
  });

  it('reads the roster again after a gap', async () => {
    const channel = uniqueChannel();
    const stream = controlledSubscription();
    const watcher = (await manager('watcher3', stream.subscribe)).roster(channel, { announce: false });
    await waitFor(() => watcher.loaded, 5000, 'first roster');
    const cy = (await manager('cy')).roster(channel);
    await waitFor(() => cy.self !== undefined, 5000, 'cy announced');
    stream.gap();
    await waitFor(() => watcher.has('cy'), 5000, 'cy seen after the gap');
    expect(watcher.count).to.equal(1);
  });
});
