/**
 * Graceful drain: every transport's stream is told to come back after a
 * delay drawn over the window, in its own format, and ends; a start that
 * reaches a draining server is sent on its way right after its hello; and
 * `cometkit-server` (one process, and `--workers 2` on Redis) drains on
 * SIGTERM, stops accepting, and exits.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CometEvent, ReconnectFrame } from '../../src/protocol/messages.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { openIframe } from '../support/iframe-client.js';
import { startServer, uniqueChannel, until, type TestServer } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startProcess } from '../support/scale/child-process.js';
import { accepts, freePort } from '../support/scale/free-port.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { openSse, StreamEndedError, type SseFrame } from '../support/sse-client.js';

const WINDOW_MS = 4000;
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

function reconnectOf(frame: SseFrame): ReconnectFrame {
  assert.equal(frame.event, 'reconnect', `expected a reconnect frame, got ${frame.event}: ${frame.data}`);
  const body = JSON.parse(frame.data) as ReconnectFrame;
  assert.equal(body.reason, 'drain');
  assert.ok(Number.isInteger(body.after) && body.after >= 0 && body.after < WINDOW_MS, `after ${body.after} is within the window`);
  // A bare EventSource ignores the named event: its retry field says the same.
  assert.equal(frame.retry, body.after);
  return body;
}

/** The stream's frames up to its end (a reconnect frame must be the last). */
async function framesToEnd(stream: Awaited<ReturnType<typeof openSse>>): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  for (;;) {
    try {
      frames.push(await stream.next(5000));
    } catch (error) {
      if (error instanceof StreamEndedError) return frames;
      throw error;
    }
  }
}

describe('drain: every transport is told when to come back', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ heartbeatMs: 60_000, pollTimeoutMs: 20_000, allowedOrigins: '*' });
  });
  after(() => server.close());

  it('SSE, iframe and held polls end with their reconnect frame, spread over the window; drain() resolves when none is left', async () => {
    const channel = uniqueChannel();
    const streams = await Promise.all(Array.from({ length: 20 }, () => openSse(server.sseUrl([channel]))));
    for (const stream of streams) helloOf(await stream.next());
    const iframe = await openIframe(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent('http://app.example')}`);
    await until(() => iframe.frames.some((frame) => frame.kind === 'hello'), 5000, 'the iframe hello');
    const first = await http(`${server.base}/poll?ch=${channel}&wait=0`);
    const cursor = first.json<{ cursor: string }>().cursor;
    const held = http(`${server.base}/poll?ch=${channel}&cursor=${encodeURIComponent(cursor)}`);
    await until(() => server.comet.stats().byTransport['long-poll'] === 1, 5000, 'the held poll');
    const event = await server.comet.publish(channel, { n: 1 });
    // The poll was answered by the event; hold another one from after it.
    const afterEvent = (await held).json<{ cursor: string; events: CometEvent[] }>();
    assert.deepEqual(afterEvent.events.map((e) => e.id), [event.id]);
    const heldAgain = http(`${server.base}/poll?ch=${channel}&cursor=${encodeURIComponent(afterEvent.cursor)}`);
    await until(() => server.comet.stats().streams === 22, 5000, 'every stream and the held poll');

    await server.comet.drain({ windowMs: WINDOW_MS });
    assert.equal(server.comet.stats().streams, 0);

    const delays: number[] = [];
    for (const stream of streams) {
      const frames = await framesToEnd(stream);
      assert.equal(eventOf(frames[0]!).id, event.id);
      delays.push(reconnectOf(frames.at(-1)!).after);
      assert.equal(frames.length, 2, 'nothing after the reconnect frame');
    }
    assert.ok(new Set(delays).size > 1, `delays are drawn per stream, not one for all: ${delays.join(', ')}`);

    await iframe.ended;
    const last = iframe.frames.at(-1)!;
    assert.equal(last.kind, 'reconnect');
    const posted = last.frame as ReconnectFrame;
    assert.equal(posted.reason, 'drain');
    assert.ok(posted.after >= 0 && posted.after < WINDOW_MS);
    assert.match(iframe.text(), /<\/body><\/html>$/);

    const answer = (await heldAgain).json<{ events: unknown[]; cursor: string; reconnect?: ReconnectFrame }>();
    assert.equal(answer.events.length, 0);
    assert.equal(answer.cursor, afterEvent.cursor, 'the next poll continues from where this one stood');
    assert.equal(answer.reconnect?.reason, 'drain');
    assert.ok(answer.reconnect!.after >= 0 && answer.reconnect!.after < WINDOW_MS);
  });

  it('a start that reaches a draining server gets its hello and replay, then its reconnect frame', async () => {
    // Drained by the test above: every start from now on is sent on its way.
    const channel = uniqueChannel();
    const event = await server.comet.publish(channel, 'kept');
    const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${event.id.split('-')[0]}-0` }));
    const frames = await framesToEnd(stream);
    assert.deepEqual(frames.map((frame) => frame.event ?? 'message'), ['hello', 'message', 'reconnect']);
    assert.equal(eventOf(frames[1]!).id, event.id);
    reconnectOf(frames[2]!);

    const poll = (await http(`${server.base}/poll?ch=${channel}`)).json<{ events: CometEvent[]; reconnect?: ReconnectFrame }>();
    assert.equal(poll.reconnect?.reason, 'drain', 'a poll is answered at once rather than held');
    assert.equal(server.comet.stats().streams, 0);
  });

  it('refuses a window that is not a positive number', async () => {
    await assert.rejects(server.comet.drain({ windowMs: -1 }), /positive windowMs/);
    await assert.rejects(server.comet.drain({ windowMs: Number.NaN }), /positive windowMs/);
  });
});


const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMET_') && name !== 'PORT' && name !== 'HOST'));

describe('cometkit-server on SIGTERM', () => {
  it('tells its streams when to come back, stops accepting, and exits 0 once they are gone', async () => {
    const port = await freePort();
    // A window far longer than the test: the process exits because its streams are gone, not at the deadline.
    const cli = startProcess(process.execPath, ['--import', 'tsx', CLI, '--drain-window-ms', '60000'], { env: { ...cleanEnv(), PORT: String(port) } });
    try {
      await cli.waitFor('cometkit server on', 60_000);
      const channel = uniqueChannel();
      const streams = await Promise.all(Array.from({ length: 5 }, () => openSse(`http://127.0.0.1:${port}/comet/sse?ch=${channel}`)));
      for (const stream of streams) helloOf(await stream.next(5000));
      const exited = new Promise<number | null>((resolve) => cli.child.once('exit', (code) => resolve(code)));
      cli.child.kill('SIGTERM');
      for (const stream of streams) {
        const frames = await framesToEnd(stream);
        const body = JSON.parse(frames.at(-1)!.data) as ReconnectFrame;
        assert.equal(frames.at(-1)!.event, 'reconnect');
        assert.ok(body.after >= 0 && body.after < 60_000);
      }
      assert.equal(await exited, 0);
      assert.equal(await accepts(port), false);
    } finally {
      await cli.stop('SIGKILL');
    }
  });
});

describe('cometkit-server --workers 2 on SIGTERM', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.close());

  it('the primary passes the signal on; both workers drain their streams, and the primary exits 0 after them', async () => {
    const port = await freePort();
    const cli = startProcess(process.execPath, ['--import', 'tsx', CLI, '--workers', '2'], {
      env: { ...cleanEnv(), PORT: String(port), COMET_REDIS_URL: redis.url, COMET_PUBLISH_KEY: randomBytes(12).toString('base64url'), COMET_DRAIN_WINDOW_MS: '3000' },
    });
    try {
      await cli.waitFor('(2 workers on Redis)', 60_000);
      const channel = uniqueChannel();
      // One connection each (agent: false): node:cluster hands connections round-robin, so both workers hold some.
      const streams = await Promise.all(Array.from({ length: 8 }, () => openSse(`http://127.0.0.1:${port}/comet/sse?ch=${channel}`)));
      for (const stream of streams) helloOf(await stream.next(5000));
      const health = (await http(`http://127.0.0.1:${port}/comet/health`)).json<{ streams: number; workers: number }>();
      assert.deepEqual([health.streams, health.workers], [8, 2]);
      const exited = new Promise<number | null>((resolve) => cli.child.once('exit', (code) => resolve(code)));
      cli.child.kill('SIGTERM');
      for (const stream of streams) {
        const frames = await framesToEnd(stream);
        assert.equal(frames.at(-1)?.event, 'reconnect', 'every worker\'s streams are told');
        assert.ok((JSON.parse(frames.at(-1)!.data) as ReconnectFrame).after < 3000);
      }
      assert.equal(await exited, 0);
      assert.doesNotMatch(cli.output(), /died|SIGKILL/);
    } finally {
      await cli.stop('SIGKILL');
    }
  });
});
