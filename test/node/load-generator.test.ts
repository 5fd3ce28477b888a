/**
 * The capacity benchmark's load generator, small: 600 subscribers (500 SSE
 * streams, 100 long-polls) from 3 client processes and 12 source addresses
 * of 127.0.0.0/8, on `cometkit-server --workers 2` on a real Redis. Every
 * subscriber must read each published event exactly once, whichever worker
 * holds it and whichever transport it uses. Timing is the benchmark's
 * (npm run bench -- capacity), not asserted here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleet, type Fleet } from '../../bench/support/load-fleet.js';
import { SOURCE_CLI, startCometkit, type LoadTarget } from '../../bench/support/load-targets.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';

const STREAMS = 500;
const POLLS = 100;
const PER_ADDRESS = 50;
const EVENTS = 3;

describe('load generator', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  let server: LoadTarget | undefined;
  let fleet: Fleet | undefined;
  before(async () => {
    redis = await startRedis({ fsync: 'everysec' });
  });
  after(async () => {
    await fleet?.stop();
    await server?.stop('SIGKILL');
    await redis?.close();
  });

  it('opens 600 subscribers over 3 processes and 12 source addresses on 2 workers, and each reads every event exactly once', async () => {
    server = await startCometkit({ workers: 2, redisUrl: redis.url, maxConnections: 2000, heartbeatMs: 15_000, cli: SOURCE_CLI });
    fleet = startFleet(3);
    const opened = await fleet.open({ port: server.port, sse: STREAMS, longPoll: POLLS, perAddress: PER_ADDRESS, concurrency: 50 });
    assert.equal(opened.failed, 0, `${opened.failed} subscribers could not open`);
    assert.equal(opened.opened, STREAMS + POLLS);
    assert.equal(opened.addresses, (STREAMS + POLLS) / PER_ADDRESS);

    const health = (await (await fetch(`http://127.0.0.1:${server.port}/comet/health`, { headers: { Connection: 'close' } })).json()) as {
      byTransport: Record<string, number>;
      workers: number;
    };
    assert.equal(health.workers, 2);
    assert.equal(health.byTransport['sse'], STREAMS, 'streams held, counted over both workers');

    await fleet.arm(1, EVENTS);
    const sentAt: number[] = [];
    for (let mark = 1; mark <= EVENTS; mark++) {
      sentAt.push(performance.timeOrigin + performance.now());
      await server.publish(mark);
    }
    const round = await fleet.collect(sentAt, 60_000);
    assert.equal(round.missing, 0, `${round.missing} arrivals missing`);
    assert.equal(round.doubled, 0, `${round.doubled} events read twice`);
    assert.equal(round.arrivals, (STREAMS + POLLS) * EVENTS);
  });
});
