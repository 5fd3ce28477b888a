import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CometEvent, HelloFrame } from '../../src/protocol/messages.js';
import { checkEvent, checkHeartbeat, checkHello } from '../../src/protocol/validate.js';
import { signToken } from '../../server/auth/token.js';
import { IFRAME_PADDING_BYTES, scriptJson } from '../../server/routes/iframe.js';
import { http } from '../support/http-client.js';
import { openIframe, type IframeFrame } from '../support/iframe-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';

const PAGE = 'http://page.example';

function iframeUrl(server: TestServer, channels: string[], params: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const channel of channels) query.append('ch', channel);
  query.set('origin', PAGE);
  for (const [key, value] of Object.entries(params)) query.set(key, value);
  return `${server.base}/iframe?${query}`;
}

const helloOf = (frame: IframeFrame): HelloFrame => {
  assert.equal(frame.kind, 'hello');
  const hello = checkHello(frame.frame);
  if (typeof hello === 'string') assert.fail(hello);
  return hello;
};
const eventOf = (frame: IframeFrame): CometEvent => {
  assert.equal(frame.kind, 'event');
  const event = checkEvent(frame.frame);
  if (typeof event === 'string') assert.fail(event);
  // The browser's edge hands the event on with its id parsed; the event itself is as published.
  const { position, ...published } = event;
  assert.equal(`${position.epoch}-${position.seq}`, published.id);
  return published;
};

describe('iframe stream', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ heartbeatMs: 200, allowedOrigins: [PAGE], tokenSecret: 'iframe-secret', publicChannels: ['test.*'], iframeMaxBytes: 8 * 1024 });
  });
  after(() => server.close());

  it('refuses a missing origin and one outside allowedOrigins', async () => {
    const channel = uniqueChannel();
    const missing = await http(`${server.base}/iframe?ch=${channel}`);
    assert.equal(missing.status, 400);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'bad-origin');
    const foreign = await http(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent('http://evil.example')}`);
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json<{ error: { code: string } }>().error.code, 'origin-forbidden');
    const withPath = await http(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent(`${PAGE}/page`)}`);
    assert.equal(withPath.status, 400, 'an origin is scheme, host and port, nothing more');
  });

  it('accepts the server’s own origin without listing it', async () => {
    const stream = await openIframe(`${server.base}/iframe?ch=${uniqueChannel()}&origin=${encodeURIComponent(server.origin)}`);
    try {
      assert.equal(stream.status, 200);
      await until(() => stream.frames.length > 0, 2000, 'hello');
      assert.equal(helloOf(stream.frames[0]!).transport, 'iframe');
      assert.match(stream.text(), new RegExp(`var o=${JSON.stringify(server.origin).replace(/[/.]/g, '\\$&')}`));
    } finally {
      stream.close();
    }
  });

  it('streams HTML that only the target page may frame, padded before the hello', async () => {
    const stream = await openIframe(iframeUrl(server, [uniqueChannel()]));
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(stream.headers['content-security-policy'], `frame-ancestors ${PAGE}`);
      assert.match(String(stream.headers['cache-control']), /no-store/);
      await until(() => stream.frames.length > 0, 2000, 'hello');
      const hello = helloOf(stream.frames[0]!);
      assert.equal(hello.heartbeat, 200);
      assert.ok(stream.frames[0]!.offset > IFRAME_PADDING_BYTES, `hello at byte ${stream.frames[0]!.offset}, before the padding`);
      // Every frame is posted to the exact page origin, never "*".
      assert.match(stream.text(), /parent\.postMessage\(\{cometkit:1,kind:k,frame:f,cursor:c\},o\)/);
      assert.doesNotMatch(stream.text(), /postMessage\([^)]*"\*"\)/);
    } finally {
      stream.close();
    }
  });

  it('delivers events with the stream cursor, and heartbeats with the server clock', async () => {
    const channel = uniqueChannel();
    const stream = await openIframe(iframeUrl(server, [channel]));
    try {
      await until(() => stream.frames.length > 0, 2000, 'hello');
      const published = await server.comet.publish(channel, { n: 1 }, 'tick');
      await until(() => stream.frames.some((f) => f.kind === 'event'), 2000, 'event');
      const frame = stream.frames.find((f) => f.kind === 'event')!;
      assert.deepEqual(eventOf(frame), published);
      assert.equal(frame.cursor, `${channel}=${published.id}`);
      await until(() => stream.frames.some((f) => f.kind === 'heartbeat'), 2000, 'heartbeat');
      const beat = checkHeartbeat(stream.frames.find((f) => f.kind === 'heartbeat')!.frame);
      assert.notEqual(typeof beat, 'string');
    } finally {
      stream.close();
    }
  });

  it('keeps "</script>", "<!--" and U+2028/2029 in data from breaking out of the script', async () => {
    const channel = uniqueChannel();
    const data = { text: '</script><script>parent.hacked=1</script><!--<script>', seps: 'a\u2028b\u2029c', amp: '&lt;' };
    const stream = await openIframe(iframeUrl(server, [channel]));
    try {
      await until(() => stream.frames.length > 0, 2000, 'hello');
      await server.comet.publish(channel, data);
      await until(() => stream.frames.some((f) => f.kind === 'event'), 2000, 'event');
      assert.deepEqual(eventOf(stream.frames.find((f) => f.kind === 'event')!).data, data);
      const afterHead = stream.text().slice(stream.text().indexOf('</head>'));
      assert.doesNotMatch(afterHead, /<\/script><script>parent\.hacked/);
      assert.doesNotMatch(afterHead, /<!--<script>/);
      assert.doesNotMatch(stream.text(), /[\u2028\u2029]/);
      assert.equal(scriptJson('</script>'), '"\\u003c/script>"');
    } finally {
      stream.close();
    }
  });

  it('ends the document after iframeMaxBytes; resuming from the last cursor loses and doubles nothing', async () => {
    const channel = uniqueChannel();
    const first = await openIframe(iframeUrl(server, [channel]));
    await until(() => first.frames.length > 0, 2000, 'hello');
    const published: CometEvent[] = [];
    for (let i = 0; i < 120; i++) published.push(await server.comet.publish(channel, { i, pad: 'x'.repeat(100) }));
    await first.ended;
    const ending = first.frames.at(-1)!;
    assert.equal(ending.kind, 'end');
    assert.match(first.text(), /<\/body><\/html>$/);
    assert.ok(first.text().length < 8 * 1024 + 1024, `document of ${first.text().length} bytes outgrew its bound`);
    const seen = first.frames.filter((f) => f.kind === 'event');
    assert.ok(seen.length > 0 && seen.length < published.length, `${seen.length} events in the first document`);

    // Each document holds ~8 KiB: follow them, each from the cursor the previous one ended at.
    const ids = seen.map((f) => eventOf(f).id);
    let cursor = seen.at(-1)!.cursor!;
    for (let documents = 1; ids.length < published.length; documents++) {
      assert.ok(documents < 10, 'the documents stopped making progress');
      const next = await openIframe(iframeUrl(server, [channel], { cursor }));
      try {
        await until(() => next.frames.filter((f) => f.kind === 'event').length + ids.length >= published.length || next.frames.at(-1)?.kind === 'end', 3000, 'events or the end');
        await until(() => next.frames.at(-1)?.kind === 'end' || next.frames.filter((f) => f.kind === 'event').length + ids.length >= published.length, 100, 'settled');
        const events = next.frames.filter((f) => f.kind === 'event');
        ids.push(...events.map((f) => eventOf(f).id));
        cursor = events.at(-1)?.cursor ?? cursor;
      } finally {
        next.close();
      }
    }
    assert.deepEqual(ids, published.map((e) => e.id));
  });

  it('posts a refusal as an error frame, since the page cannot read the status', async () => {
    const stream = await openIframe(iframeUrl(server, ['private.room']));
    await stream.ended;
    assert.equal(stream.status, 401);
    const error = stream.frames.find((f) => f.kind === 'error');
    assert.deepEqual((error?.frame as { code: string; status: number }).code, 'token-missing');
    assert.equal((error?.frame as { status: number }).status, 401);

    const token = await signToken({ sub: 'ada', channels: ['private.*'] }, 'iframe-secret');
    const allowed = await openIframe(iframeUrl(server, ['private.room'], { token }));
    try {
      await until(() => allowed.frames.length > 0, 2000, 'hello');
      assert.equal(allowed.status, 200);
      assert.equal(helloOf(allowed.frames[0]!).transport, 'iframe');
    } finally {
      allowed.close();
    }
  });

  it('is counted as an iframe stream while open', async () => {
    const channel = uniqueChannel();
    const stream = await openIframe(iframeUrl(server, [channel]));
    await until(() => stream.frames.length > 0, 2000, 'hello');
    assert.equal(server.comet.stats().byTransport.iframe, 1);
    assert.equal(server.comet.disconnect({ channel }), 1);
    await stream.ended;
    await until(() => server.comet.stats().byTransport.iframe === 0, 2000, 'stream forgotten');
  });
});
