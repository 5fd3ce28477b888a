/**
 * Answers the reference server never gives — a poll answer that is not
 * JSON or lacks its fields, a bad event between good ones, an iframe
 * document of the push origin posting junk — played by msw in front of the
 * real long-poll and iframe transports. Each ends the stream with a clear
 * error after delivering what came before it, and delivers nothing after.
 */
import { expect } from '@esm-bundle/chai';
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import type { CometError } from '../../../src/errors/comet-error.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { createIframeTransport } from '../../../src/transports/iframe-transport.js';
import { longPollTransport } from '../../../src/transports/long-poll-transport.js';
import type { Transport, TransportConnection, TransportSink } from '../../../src/transports/transport.js';
import { waitFor } from '../../support/env.js';

const BASE = `${location.origin}/mocked-hostile/comet`;
const CHANNEL = 't.hostile';
const hello = { v: 1, time: Date.now(), heartbeat: 1000, cursor: `${CHANNEL}=m-0`, transport: 'long-poll' };
const event = (seq: number, data: unknown = seq): CometEvent => ({ id: `m-${seq}`, channel: CHANNEL, type: 'message', data, time: Date.now() });

/** What the next poll answers, and the iframe document's script. */
let pollAnswer: () => Response = () => HttpResponse.json({});
let iframeScript = '';

const worker = setupWorker(
  http.get(`${BASE}/poll`, () => pollAnswer()),
  http.get(
    `${BASE}/iframe`,
    () => new HttpResponse(`<!doctype html><meta charset="utf-8"><script>${iframeScript}</script>`, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }),
  ),
);

interface Recorded {
  readonly events: CometEvent[];
  readonly closed: Promise<CometError | undefined>;
  readonly connection: TransportConnection;
}

const open: TransportConnection[] = [];
function openStream(transport: Transport): Recorded {
  const events: CometEvent[] = [];
  let done: (error: CometError | undefined) => void = () => {};
  const closed = new Promise<CometError | undefined>((resolve) => (done = resolve));
  const sink: TransportSink = { hello: () => {}, event: (e) => events.push(e), gap: () => {}, heartbeat: () => {}, closed: (error) => done(error), reconnect: () => done(undefined) };
  const connection = transport.open({ url: BASE, channels: [CHANNEL], cursor: '', token: undefined, withCredentials: false }, sink);
  open.push(connection);
  return { events, closed, connection };
}

/** The iframe document's script: posts each frame to the parent, as the server's document does. */
const posting = (...messages: unknown[]): string => messages.map((m) => `parent.postMessage(${JSON.stringify(m)}, '*');`).join('\n');
const posted = (kind: string, frame: unknown, cursor?: string) => ({ cometkit: 1, kind, frame, cursor });

describe('malformed answers (msw)', function () {
  this.timeout(15_000);

  before(async () => {
    await worker.start({ quiet: true, onUnhandledFrame: 'bypass' });
  });

  after(async () => {
    await worker.stop();
    // Other test pages share this origin: leave no worker behind to sit in front of their requests.
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });

  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });

  it('long-poll: an answer that is not JSON (a proxy\'s HTML page) ends the poll with a network error', async () => {
    pollAnswer = () => new HttpResponse('<html><body>Gateway says hi</body></html>', { headers: { 'Content-Type': 'text/html' } });
    const stream = openStream(longPollTransport);
    const error = await stream.closed;
    expect(error?.name).to.equal('NetworkError');
    expect(stream.events).to.deep.equal([]);
  });

  it('long-poll: an answer without events, gaps or cursor ends the poll as a malformed frame', async () => {
    pollAnswer = () => HttpResponse.json({ hello, events: 'all of them' });
    const stream = openStream(longPollTransport);
    const error = await stream.closed;
    expect(error?.name).to.equal('MalformedFrameError');
    expect(error?.message).to.contain('lacks "events", "gaps" or "cursor"');
  });

  it('long-poll: a malformed event between good ones delivers those before it and nothing after', async () => {
    const broken = { ...event(2), id: '<script>alert(1)</script>' };
    pollAnswer = () => HttpResponse.json({ hello, gaps: [], events: [event(1), broken, event(3)], cursor: `${CHANNEL}=m-3` });
    const stream = openStream(longPollTransport);
    const error = await stream.closed;
    expect(error?.name).to.equal('MalformedFrameError');
    expect(stream.events.map((e) => e.id)).to.deep.equal(['m-1']);
  });

  it('long-poll: a hello that is not an object ends the poll before any event is read', async () => {
    pollAnswer = () => HttpResponse.json({ hello: 'hi', gaps: [], events: [event(1)], cursor: `${CHANNEL}=m-1` });
    const stream = openStream(longPollTransport);
    expect((await stream.closed)?.name).to.equal('MalformedFrameError');
    expect(stream.events).to.deep.equal([]);
  });

  it('iframe: a malformed frame from its own document delivers the events before it and nothing after', async () => {
    iframeScript = posting(
      posted('hello', { ...hello, transport: 'iframe' }, `${CHANNEL}=m-0`),
      posted('event', event(1), `${CHANNEL}=m-1`),
      posted('event', { ...event(2), time: 'yesterday' }, `${CHANNEL}=m-2`),
      posted('event', event(3), `${CHANNEL}=m-3`),
    );
    const stream = openStream(createIframeTransport());
    const error = await stream.closed;
    expect(error?.name).to.equal('MalformedFrameError');
    expect(stream.events.map((e) => e.id)).to.deep.equal(['m-1']);
  });

  it('iframe: posts without the cometkit envelope and frames of unknown kinds are passed over', async () => {
    iframeScript = posting(
      'a string',
      { kind: 'event', frame: event(9) },
      { cometkit: 2, kind: 'event', frame: event(9) },
      posted('hello', { ...hello, transport: 'iframe' }, `${CHANNEL}=m-0`),
      posted('takeover', { run: 'alert(1)' }),
      posted('event', event(1), `${CHANNEL}=m-1`),
    );
    const stream = openStream(createIframeTransport());
    await waitFor(() => stream.events.length === 1, 5000, 'the one real event');
    expect(stream.events.map((e) => e.id)).to.deep.equal(['m-1']);
  });

  it('iframe: an error frame with hostile fields closes with a plain HTTP error carrying them as text', async () => {
    iframeScript = posting(posted('error', { status: 'teapot', code: { evil: true }, message: '<img src=x onerror="parent.__pwned=true">' }));
    const stream = openStream(createIframeTransport());
    const error = (await stream.closed) as (CometError & { status?: number }) | undefined;
    expect(error?.name).to.equal('HttpStatusError');
    expect(error?.status).to.equal(500);
    expect(error?.code).to.equal('http-error');
    expect(error?.message).to.contain('<img src=x');
    expect(window.__pwned).to.equal(undefined);
  });
});

declare global {
  interface Window {
    __pwned?: boolean;
  }
}
