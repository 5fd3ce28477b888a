/**
 * A drain is a quiet resume for the SDK: the upstream's real long-poll
 * transport, against two real server processes' handlers on one event
 * store behind one address (a balancer that sends new requests to the
 * process that is not going away), waits the delay the draining server
 * gave, resumes from its positions on the other, and gets every event once
 * and in order, with no error, no state change and no step down the ladder.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import type { CometError } from '../../src/errors/comet-error.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { longPollTransport } from '../../src/transports/long-poll-transport.js';
import type { ConnectionState } from '../../src/upstream/upstream.js';
import { Upstream } from '../../src/upstream/upstream.js';
import { uniqueChannel, until } from '../support/node-server.js';

describe('SDK: a drain is a quiet resume', () => {
  const broker = new MemoryBroker({ historySize: 1000 });
  const going = createCometServer({ broker, pollTimeoutMs: 20_000 });
  const staying = createCometServer({ broker, pollTimeoutMs: 20_000 });
  let active: CometServer = going;
  /** What the draining process told its polls (the reconnect frames' delays), and when. */
  const told: Array<{ after: number; at: number }> = [];
  /** When each poll reached the process that stays. */
  const reachedStaying: number[] = [];
  const front = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = active;
    if (target === staying) reachedStaying.push(Date.now());
    if (target === going) {
      // Read what the draining process answers, as the client will: its delay is what the client must wait.
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        if (typeof chunk === 'string' && chunk.includes('"reconnect"')) told.push({ after: (JSON.parse(chunk) as { reconnect: { after: number } }).reconnect.after, at: Date.now() });
        return end(chunk);
      }) as typeof res.end;
    }
    target(req, res);
  });
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(front.address() as AddressInfo).port}/comet`;
  });
  after(async () => {
    await going.close();
    await staying.close();
    front.closeAllConnections();
    await new Promise<void>((resolve) => front.close(() => resolve()));
  });

  it('waits the given delay, resumes on the other process from its positions, and reports nothing', async () => {
    const channel = uniqueChannel();
    const events: CometEvent[] = [];
    const errors: CometError[] = [];
    const states: ConnectionState[] = [];
    const upstream = new Upstream(
      { url, transports: [longPollTransport], ladder: { storage: null }, batchDelayMs: 0, helloTimeoutMs: 10_000, withCredentials: false },
      { event: (event) => events.push(event), gap: () => assert.fail('no gap'), state: (state) => states.push(state), error: (error) => errors.push(error) },
    );
    const published: CometEvent[] = [];
    try {
      upstream.setChannels([channel]);
      await until(() => upstream.state === 'open', 5000, 'the first poll');
      for (let n = 0; n < 5; n += 1) published.push(await broker.publish({ channel, type: 'message', data: { n } }));
      await until(() => events.length === 5, 5000, 'the first five events');
      await until(() => going.stats().byTransport['long-poll'] === 1, 5000, 'a held poll');

      active = staying;
      const drained = going.drain({ windowMs: 1500 });
      // Published while the client waits its turn: replayed from its positions by the other process.
      for (let n = 5; n < 10; n += 1) published.push(await broker.publish({ channel, type: 'message', data: { n } }));
      await drained;
      await until(() => events.length === 10, 10_000, 'all ten events');
      for (let n = 10; n < 15; n += 1) published.push(await broker.publish({ channel, type: 'message', data: { n } }));
      await until(() => events.length === 15, 10_000, 'the events after the resume');

      assert.deepEqual(events.map((event) => event.id), published.map((event) => event.id), 'every event once, in order');
      assert.equal(told.length, 1, 'the held poll was told once');
      // The client came back no sooner than it was told (a timer never fires early; load only makes it later).
      assert.ok(reachedStaying[0]! >= told[0]!.at + told[0]!.after - 2, `came back ${reachedStaying[0]! - told[0]!.at} ms after being told to wait ${told[0]!.after} ms`);
      assert.deepEqual(errors, [], 'a drain is no error');
      assert.deepEqual(states, ['connecting', 'open'], 'and no change of state');
      assert.deepEqual(upstream.decisions.map((decision) => decision.reason), ['initial'], 'nor a step down the ladder');
    } finally {
      upstream.close();
    }
  });
});
