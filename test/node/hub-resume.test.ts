/**
 * A tab that says hello with an earlier position than the hub's stream has
 * reached (after a handover, the tabs' hellos reach the new hub one by one
 * while its stream already runs) must get every event after its position,
 * once and in order, however busy the stream is when the hello lands.
 *
 * The transport is scripted: the race needs an event to arrive on the old
 * stream between the late hello and the re-opened stream, which a real
 * server produces only by chance.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Hub, type HubPeer } from '../../src/hub/hub.js';
import type { HubMessage, RefusedMessage } from '../../src/hub/hub-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION } from '../../src/hub/port-protocol.js';
import { parseCursor } from '../../src/protocol/cursor.js';
import type { PositionedEvent } from '../../src/protocol/messages.js';
import type { StreamRequest, Transport, TransportSink } from '../../src/transports/transport.js';

interface Stream {
  readonly request: StreamRequest;
  readonly sink: TransportSink;
  closed: boolean;
}

/** A transport whose streams the test drives frame by frame. */
function scriptedTransport(): Transport & { readonly streams: Stream[]; opened(count: number): Promise<Stream> } {
  const streams: Stream[] = [];
  const waiting: Array<{ count: number; resolve: (stream: Stream) => void }> = [];
  return {
    name: 'sse',
    streams,
    isSupported: () => true,
    open(request, sink) {
      const stream: Stream = { request, sink, closed: false };
      streams.push(stream);
      for (const waiter of waiting.filter((w) => streams.length >= w.count)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(stream);
      }
      return { close: () => (stream.closed = true) };
    },
    /** Resolves when the `count`th stream opens: the upstream opens after its batch delay, so the test waits on the open itself. */
    opened(count) {
      if (streams.length >= count) return Promise.resolve(streams[count - 1]!);
      return new Promise((resolve) => waiting.push({ count, resolve }));
    },
  };
}

function recordingPeer(): HubPeer & { readonly events: string[] } {
  const events: string[] = [];
  return {
    events,
    post: (message: HubMessage | RefusedMessage) => {
      if (message.type === 'event') events.push(message.event.id);
    },
    close: () => {},
  };
}

const hello = (tab: string, channels: string[], cursor: string) => ({
  cometkit: PORT_PROTOCOL_VERSION,
  type: 'hello',
  tab,
  secret: `secret-of-${tab}-0123456789`,
  sdk: SDK_VERSION,
  options: { url: 'http://127.0.0.1:1/comet', withCredentials: false },
  token: null,
  tokenFunction: false,
  channels,
  // A tab sends its positions parsed, as a Map (structured cloning keeps it).
  cursor: parseCursor(cursor),
});

/** An event as a transport hands it up: its id already read into its position. */
const event = (seq: number, channel = 'news'): PositionedEvent => ({ id: `e1-${seq}`, channel, type: 'message', data: seq, time: Date.now(), position: { epoch: 'e1', seq } });
/** A cursor's entries, in a fixed order: the stream may list channels in any order. */
const entries = (cursor: string): string[] => cursor.split(',').filter(Boolean).sort();

// A re-open that never comes fails at the bound rather than hanging the run.
describe('hub: a late hello with an earlier position', { timeout: 5000 }, () => {
  const hubs: Hub[] = [];
  afterEach(() => {
    for (const hub of hubs.splice(0)) hub.close();
  });

  it('replays from that position even when the old stream delivers more before it is re-opened', async () => {
    const transport = scriptedTransport();
    const hub = new Hub({ host: 'single-tab', transports: [transport] });
    hubs.push(hub);
    const [ahead, behind] = [recordingPeer(), recordingPeer()];

    hub.receive(hello('ahead', ['news', 'sport'], 'news=e1-5,sport=e1-20'), () => ahead);
    const first = await transport.opened(1);
    assert.deepEqual(entries(first.request.cursor), ['news=e1-5', 'sport=e1-20']);
    first.sink.hello({ v: 1, time: Date.now(), heartbeat: 0, cursor: 'news=e1-5,sport=e1-20', transport: 'sse' });
    for (let seq = 6; seq <= 10; seq++) first.sink.event(event(seq));

    // The late tab has news only up to 3; while the hub re-opens for it, the old stream is still busy.
    hub.receive(hello('behind', ['news'], 'news=e1-3'), () => behind);
    first.sink.event(event(11));
    first.sink.event(event(21, 'sport'));
    first.sink.event(event(12));

    const second = await transport.opened(2);
    assert.notEqual(second, first, 'the stream is re-opened for the earlier position');
    assert.equal(first.closed, true);
    assert.deepEqual(entries(second.request.cursor), ['news=e1-3', 'sport=e1-20'], 'what the old stream read after the hello does not count');
    second.sink.hello({ v: 1, time: Date.now(), heartbeat: 0, cursor: 'news=e1-3,sport=e1-20', transport: 'sse' });
    for (let seq = 4; seq <= 13; seq++) second.sink.event(event(seq));
    second.sink.event(event(21, 'sport'));

    assert.deepEqual(behind.events, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((seq) => `e1-${seq}`), 'every event after 3, once, in order');
    // The tab that was ahead gets the replay too and drops what it has (the client does); the hub never skips ahead.
    assert.deepEqual(ahead.events.slice(0, 5), ['e1-6', 'e1-7', 'e1-8', 'e1-9', 'e1-10']);
    assert.equal(ahead.events.at(-1), 'e1-21');
  });

  it('re-opens a stream that is still opening when a hello names a channel it has no position for', async () => {
    const transport = scriptedTransport();
    const hub = new Hub({ host: 'single-tab', transports: [transport] });
    hubs.push(hub);
    const [first, late] = [recordingPeer(), recordingPeer()];

    hub.receive(hello('first', ['news'], ''), () => first);
    const opening = await transport.opened(1);
    assert.equal(opening.request.cursor, '', 'the first tab starts the channel from now');

    // Before the server's hello, a tab arrives that has events up to 3 from a previous hub.
    hub.receive(hello('late', ['news'], 'news=e1-3'), () => late);
    opening.sink.hello({ v: 1, time: Date.now(), heartbeat: 0, cursor: 'news=e1-9', transport: 'sse' });
    opening.sink.event(event(10));

    const reopened = await transport.opened(2);
    assert.notEqual(reopened, opening, 'a stream opened without the late position is re-opened from it');
    assert.equal(reopened.request.cursor, 'news=e1-3');
    reopened.sink.hello({ v: 1, time: Date.now(), heartbeat: 0, cursor: 'news=e1-3', transport: 'sse' });
    for (let seq = 4; seq <= 10; seq++) reopened.sink.event(event(seq));
    assert.deepEqual(late.events, [4, 5, 6, 7, 8, 9, 10].map((seq) => `e1-${seq}`));
  });
});
