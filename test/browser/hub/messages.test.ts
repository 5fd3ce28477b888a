/**
 * The hub reads every message field by field: foreign or malformed
 * postMessage data is counted and dropped, never thrown into the hub, and
 * each event goes only to the tabs holding its channel.
 */
import { expect } from '@esm-bundle/chai';
import { CometClient } from '../../../src/client/client.js';
import { hubName } from '../../../src/hosts/host-link.js';
import { Hub, type HubPeer } from '../../../src/hub/hub.js';
import type { HubMessage, RefusedMessage } from '../../../src/hub/hub-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION } from '../../../src/hub/port-protocol.js';
import { sseTransport } from '../../../src/transports/sse-transport.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl, openTab, type TestTab } from './tabs.js';

const server = getTestServer();

function recordingPeer(): HubPeer & { readonly messages: Array<HubMessage | RefusedMessage> } {
  const messages: Array<HubMessage | RefusedMessage> = [];
  return { messages, post: (message) => messages.push(message), close: () => {} };
}

const hello = (tab: string, channels: string[], secret = `secret-of-${tab}-0123456789`) => ({
  cometkit: PORT_PROTOCOL_VERSION,
  type: 'hello',
  tab,
  secret,
  sdk: SDK_VERSION,
  options: { url: server.comet, withCredentials: false },
  token: null,
  tokenFunction: false,
  channels,
  cursor: new Map(),
});

/** What any script of the origin can read: the tab ids in the names of the locks every tab holds. */
async function tabIdsFromLocks(): Promise<string[]> {
  const held = (await navigator.locks.query()).held ?? [];
  return held.flatMap((lock) => (lock.name?.startsWith('cometkit-tab:') ? [lock.name.slice('cometkit-tab:'.length)] : []));
}

async function holdLock(name: string): Promise<() => void> {
  let release: () => void = () => {};
  await new Promise<void>((held) => void navigator.locks.request(name, () => (held(), new Promise<void>((done) => (release = done)))));
  return () => release();
}

const junk: unknown[] = [
  undefined,
  null,
  'hello',
  42,
  [],
  { type: 'hello' },
  { cometkit: 'one', type: 'hello' },
  { cometkit: PORT_PROTOCOL_VERSION, type: 'hello' },
  { cometkit: PORT_PROTOCOL_VERSION, type: 'hello', tab: 'bad tab id!' },
  { ...hello('t1', ['not a channel!']) },
  { ...hello('t1', ['t.ok']), cursor: 'garbage' },
  // A cursor crosses as a Map of parsed positions: one whose position is not one is refused like text.
  { ...hello('t1', ['t.ok']), cursor: new Map([['t.ok', { epoch: 'NOT AN EPOCH', seq: 1 }]]) },
  { cometkit: PORT_PROTOCOL_VERSION, type: 'channels', tab: 'never-said-hello', channels: ['t.x'] },
  { cometkit: PORT_PROTOCOL_VERSION, type: 'explode', tab: 't1' },
  { cometkit: PORT_PROTOCOL_VERSION + 1, type: 'channels', tab: 't1', channels: [] },
  JSON.parse('{"__proto__": {"polluted": true}, "cometkit": 1, "type": "bye", "tab": "nobody"}'),
  // Oversized: more channels than a hello may carry, a tab id and a channel name past their lengths.
  { ...hello('t1', Array.from({ length: 1025 }, (_, n) => `t.c${n}`)) },
  { ...hello('t'.repeat(65), ['t.ok']) },
  { ...hello('t1', [`t.${'x'.repeat(127)}`]) },
  { ...hello('t1', ['t.ok']), token: { forged: true } },
];

describe('hub message checks', function () {
  this.timeout(20_000);
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
  });

  it('counts and drops foreign and malformed messages, then serves each tab only its channels', async () => {
    const hub = new Hub({ host: 'single-tab', transports: [sseTransport] });
    cleanup.push(() => hub.close());
    const stray = recordingPeer();
    for (const data of junk) expect(() => hub.receive(data, () => stray)).not.to.throw();
    expect(hub.stats.ignored).to.equal(junk.length);
    expect(hub.stats.tabs).to.equal(0);
    expect(stray.messages).to.deep.equal([]);
    expect(({} as { polluted?: boolean }).polluted).to.equal(undefined);

    const prefix = uniqueChannel('t.hub');
    const [a, b] = [recordingPeer(), recordingPeer()];
    hub.receive(hello('tab-a', [`${prefix}.a`, `${prefix}.both`]), () => a);
    hub.receive(hello('tab-b', [`${prefix}.b`, `${prefix}.both`]), () => b);
    expect(hub.stats).to.include({ tabs: 2, channels: 3 });
    await waitFor(() => hub.state === 'open' && a.messages.some((m) => m.type === 'positions') && b.messages.some((m) => m.type === 'positions'), 5000, 'the stream');

    await server.publishMany([`${prefix}.a`, `${prefix}.b`, `${prefix}.both`].map((channel) => ({ channel, data: channel })));
    const events = (peer: ReturnType<typeof recordingPeer>): string[] =>
      peer.messages.flatMap((m) => (m.type === 'event' ? [m.event.channel] : []));
    await waitFor(() => events(a).length === 2 && events(b).length === 2, 5000, 'the events');
    expect(events(a)).to.deep.equal([`${prefix}.a`, `${prefix}.both`]);
    expect(events(b)).to.deep.equal([`${prefix}.b`, `${prefix}.both`]);

    hub.receive({ cometkit: PORT_PROTOCOL_VERSION, type: 'bye', tab: 'tab-b', secret: hello('tab-b', []).secret }, () => b);
    expect(hub.stats).to.include({ tabs: 1, channels: 2, ignored: junk.length });
  });

  it('takes messages naming a tab only from that tab\'s own port', async () => {
    const hub = new Hub({ host: 'single-tab', transports: [sseTransport] });
    cleanup.push(() => hub.close());
    const prefix = uniqueChannel('t.hub');
    const [victim, intruder] = [recordingPeer(), recordingPeer()];
    hub.receive(hello('victim', [`${prefix}.a`]), () => victim);
    hub.receive(hello('intruder', [`${prefix}.b`]), () => intruder);
    await waitFor(() => hub.state === 'open' && victim.messages.some((m) => m.type === 'positions'), 5000, 'the stream');

    // Even with the victim's secret: the port is the other half of the proof.
    const victimTab = { cometkit: PORT_PROTOCOL_VERSION, tab: 'victim', secret: hello('victim', []).secret };
    const forged = [
      { ...victimTab, type: 'bye' },
      { ...victimTab, type: 'channels', channels: [] },
      { ...victimTab, type: 'token', request: 1, token: 'forged', error: null },
      { ...victimTab, type: 'wake' },
    ];
    for (const data of forged) hub.receive(data, () => intruder);
    expect(hub.stats).to.include({ tabs: 2, channels: 2, ignored: forged.length });

    await server.publish(`${prefix}.a`, 'still here');
    await waitFor(() => victim.messages.some((m) => m.type === 'event'), 5000, 'the victim’s event');
    expect(intruder.messages.filter((m) => m.type === 'event')).to.deep.equal([]);
  });

  it('a port cannot drop or re-subscribe another tab of a SharedWorker hub, even knowing its id from the lock names', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const page = await openTab('victim page', { url: server.comet, hub: prefix, workerUrl: hubWorkerUrl, channels: [channel] });
    cleanup.push(() => page.close());
    await page.tab.ready;

    // Any script of the origin can list the locks every tab holds, and read tab ids from their names.
    const held = (await navigator.locks.query()).held ?? [];
    const tabIds = held.flatMap((lock) => (lock.name?.startsWith('cometkit-tab:') ? [lock.name.slice('cometkit-tab:'.length)] : []));
    expect(tabIds.length, 'tab ids readable from lock names').to.be.greaterThan(0);

    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const worker = new SharedWorker(hubWorkerUrl, { type: 'module', name });
    const answers: unknown[] = [];
    worker.port.onmessage = (event) => answers.push(event.data);
    cleanup.push(() => worker.port.close());
    for (const tab of tabIds) {
      worker.port.postMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'channels', tab, secret: 'intruder-secret-0123456789', channels: [] });
      worker.port.postMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'bye', tab, secret: 'intruder-secret-0123456789' });
    }
    // The port's own hello, answered after the forged messages before it were handled.
    worker.port.postMessage(hello('intruder-tab', [`${prefix}.other`]));
    await waitFor(() => answers.some((m) => (m as { type?: string }).type === 'welcome'), 5000, 'the intruder’s welcome');

    const event = await server.publish(channel, 'after the forgery');
    await waitFor(() => page.tab.received.length === 1, 5000, 'the victim page to receive');
    expect(page.tab.received[0]?.id).to.equal(event.id);
    expect(answers.filter((m) => (m as { type?: string }).type === 'event')).to.deep.equal([]);
  });

  it('a page that reads a tab id from the lock names cannot take that tab\'s session with a hello to a SharedWorker hub', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const page = await openTab('victim page', { url: server.comet, hub: prefix, workerUrl: hubWorkerUrl, channels: [channel] });
    cleanup.push(() => page.close());
    await page.tab.ready;

    const tabIds = await tabIdsFromLocks();
    expect(tabIds.length, 'tab ids readable from lock names').to.be.greaterThan(0);
    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const worker = new SharedWorker(hubWorkerUrl, { type: 'module', name });
    const answers: Array<{ type?: string; cursor?: Map<string, unknown> }> = [];
    worker.port.onmessage = (event) => answers.push(event.data as { type?: string });
    cleanup.push(() => worker.port.close());
    // The hijack: the victim's id, a secret of the intruder's own, and the victim's channel.
    for (const tab of tabIds) worker.port.postMessage(hello(tab, [channel], 'intruder-secret-0123456789'));
    // Handled in order: once the stream carries this hello's channel, the forged ones were handled.
    const sentinel = `${prefix}.sentinel`;
    // Held as a tab holds its own, or the hub would drop the intruder's tab as soon as it said hello.
    cleanup.push(await holdLock('cometkit-tab:intruder-tab'));
    worker.port.postMessage(hello('intruder-tab', [sentinel], 'intruder-secret-0123456789'));
    await waitFor(() => answers.some((m) => m.type === 'positions' && m.cursor?.has(sentinel) === true), 5000, 'the intruder’s own channel to be live');

    const event = await server.publish(channel, 'after the forged hello');
    await waitFor(() => page.tab.received.length === 1, 5000, 'the victim page to receive');
    expect(page.tab.received[0]?.id).to.equal(event.id);
    expect(page.tab.client.state).to.equal('open');
    expect(answers.filter((m) => m.type === 'event')).to.deep.equal([]);
  });

  it('a page that reads a tab id from the lock names cannot cut that tab off a leader-tab hub', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const page = await openTab('leader page', { url: server.comet, hub: prefix, host: 'leader-tab', channels: [channel] });
    cleanup.push(() => page.close());
    await page.tab.ready;

    const tabIds = await tabIdsFromLocks();
    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const hubChannel = new BroadcastChannel(`${name}:hub`);
    const sentinel = new BroadcastChannel(`${name}:tab:sentinel-tab`);
    const answers: Array<{ type?: string }> = [];
    sentinel.onmessage = (event) => answers.push(event.data as { type?: string });
    cleanup.push(() => {
      hubChannel.close();
      sentinel.close();
    });
    for (const tab of tabIds) {
      const forged = { cometkit: PORT_PROTOCOL_VERSION, tab, secret: 'intruder-secret-0123456789' };
      hubChannel.postMessage(hello(tab, [`${prefix}.other`], forged.secret));
      hubChannel.postMessage({ ...forged, type: 'channels', channels: [] });
      hubChannel.postMessage({ ...forged, type: 'bye' });
    }
    hubChannel.postMessage(hello('sentinel-tab', [`${prefix}.other`], 'intruder-secret-0123456789'));
    await waitFor(() => answers.some((m) => m.type === 'welcome'), 5000, 'the sentinel’s welcome');

    const event = await server.publish(channel, 'after the forged messages');
    await waitFor(() => page.tab.received.length === 1, 5000, 'the page to receive');
    expect(page.tab.received[0]?.id).to.equal(event.id);
    expect(page.tab.client.state).to.equal('open');
  });

  it('a hello of another version naming a tab of a leader-tab hub leaves that tab served', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const page = await openTab('leader page', { url: server.comet, hub: prefix, host: 'leader-tab', channels: [channel] });
    cleanup.push(() => page.close());
    await page.tab.ready;

    const held = (await navigator.locks.query()).held ?? [];
    const tabIds = held.flatMap((lock) => (lock.name?.startsWith('cometkit-tab:') ? [lock.name.slice('cometkit-tab:'.length)] : []));
    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const hubChannel = new BroadcastChannel(`${name}:hub`);
    cleanup.push(() => hubChannel.close());
    // Refusing answers on the named tab's channel and closes it: it must not be a tab already here.
    for (const tab of tabIds) hubChannel.postMessage({ cometkit: PORT_PROTOCOL_VERSION + 1, type: 'hello', tab, sdk: '9.9.9' });
    // Refused like any tab of another release, and its tabs told: once the page hears of this one, those before were handled.
    hubChannel.postMessage({ cometkit: PORT_PROTOCOL_VERSION + 1, type: 'hello', tab: 'sentinel-tab', sdk: '9.9.9' });
    await waitFor(() => page.tab.errors.some((error) => error.includes('9.9.9')), 5000, 'the notice of the sentinel hello');

    const event = await server.publish(channel, 'after the forged hello');
    await waitFor(() => page.tab.received.length === 1, 5000, 'the page to receive');
    expect(page.tab.received[0]?.id).to.equal(event.id);
  });

  it('a SharedWorker hub and a leader-tab hub keep serving through junk on their ports and channels', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const tabs: TestTab[] = [
      await openTab('worker page', { url: server.comet, hub: prefix, workerUrl: hubWorkerUrl, channels: [channel] }),
      await openTab('leader page', { url: server.comet, hub: prefix, host: 'leader-tab', channels: [channel] }),
    ];
    cleanup.push(() => tabs.forEach((tab) => tab.close()));
    await Promise.all(tabs.map((tab) => tab.tab.ready));

    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const worker = new SharedWorker(hubWorkerUrl, { type: 'module', name });
    worker.port.start();
    const hubChannel = new BroadcastChannel(`${name}:hub`);
    cleanup.push(() => {
      worker.port.close();
      hubChannel.close();
    });
    for (const data of junk) {
      worker.port.postMessage(data);
      hubChannel.postMessage(data);
    }
    // Something the structured clone algorithm carries but no JSON does.
    worker.port.postMessage(new Map([['cometkit', 1]]));
    hubChannel.postMessage(new Blob(['x']));

    const event = await server.publish(channel, 'after the junk');
    await waitFor(() => tabs.every((tab) => tab.tab.received.length === 1), 5000, 'both pages to receive');
    for (const tab of tabs) {
      expect(tab.tab.received[0]?.id).to.equal(event.id);
      expect(tab.tab.client.state).to.equal('open');
      expect(tab.tab.errors).to.deep.equal([]);
    }
    expect(tabs.map((tab) => tab.tab.client.host)).to.deep.equal(['shared-worker', 'leader-tab']);
  });

  it('clients ignore junk posted on the announcement channel', async () => {
    const prefix = uniqueChannel('t.hub');
    const channel = `${prefix}.a`;
    const client = new CometClient({ url: server.comet, hub: prefix, host: 'leader-tab' });
    cleanup.push(() => client.close());
    const received: string[] = [];
    await client.subscribe(channel, (event) => received.push(event.id)).ready;
    // Every tab listens there for a new leader; none of this is a hub-ready announcement.
    const name = hubName({ url: server.comet, hub: prefix, protocolVersion: PORT_PROTOCOL_VERSION });
    const announce = new BroadcastChannel(`${name}:announce`);
    cleanup.push(() => announce.close());
    for (const data of junk) announce.postMessage(data);
    const event = await server.publish(channel, 1);
    await waitFor(() => received.length === 1, 5000, 'the event');
    expect(received).to.deep.equal([event.id]);
    expect(client.state).to.equal('open');
  });
});
