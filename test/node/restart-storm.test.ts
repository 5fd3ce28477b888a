/**
 * The restart storm, short: 1,000 resuming SSE clients (raw sockets, as bare
 * EventSources behave) on one server process on Redis, killed with SIGKILL
 * and started again while events keep coming. The restarted process takes
 * starts at 200 a second, so most of the crowd is told to come back later
 * (`retry:`): nothing may be lost or doubled on the way. Timing is the
 * benchmark's (npm run bench -- storm), not asserted here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';
import { runRestartStorm } from '../support/scale/restart-storm.js';
import { startServerProcess, type ServerProcess } from '../support/scale/server-process.js';

describe('restart storm', { skip: scaleOutBinaries(['redis-server']).skip }, () => {
  let redis: TestRedis;
  let server: ServerProcess | undefined;
  before(async () => {
    redis = await startRedis({ fsync: 'everysec' });
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await redis?.close();
  });

  it('brings 1,000 resuming clients back with nothing lost or doubled, spreading those past the admission rate', async () => {
    server = await startServerProcess({
      redisUrl: redis.url,
      publishKey: 'storm',
      heartbeatMs: 15_000,
      env: { COMET_MAX_STREAM_STARTS_PER_SECOND: '200' },
    });
    const result = await runRestartStorm({ clients: 1000, redis, server, rate: 5, catchUpTimeoutMs: 120_000 });
    assert.equal(result.caught, 1000, `${result.caught} of 1000 clients caught up`);
    assert.equal(result.lost, 0, 'events lost');
    assert.equal(result.doubled, 0, 'events doubled');
    assert.ok(result.refusals > 0, 'the crowd came in faster than 200 starts a second: some were told to come back');
    assert.ok(result.published > 10, `events kept coming (${result.published})`);
  });
});
