/**
 * `cometkit-server --workers 2 --metrics` on a real Redis: whichever worker a
 * scrape or a health check reaches, the figures are those of both workers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { uniqueChannel, until } from '../support/node-server.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { startProcess } from '../support/scale/child-process.js';
import { follow } from '../support/scale/follower.js';
import { freePort } from '../support/scale/free-port.js';
import { startRedis, type TestRedis } from '../support/scale/redis-server.js';

const { skip } = scaleOutBinaries(['redis-server']);
const publishKey = randomBytes(12).toString('base64url');
const metricsKey = randomBytes(12).toString('base64url');
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

/** One request on a connection of its own: node:cluster hands connections, not requests, to workers. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { Connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer from ${url} within 15 s`)));
    req.end();
  });
}

async function publish(origin: string, body: unknown, key = publishKey): Promise<number> {
  const res = await fetch(`${origin}/comet/publish`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Connection: 'close' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The value of one sample in Prometheus text (`name` or `name{label="v"}`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('metrics and health across cometkit-server --workers 2', { skip }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.close());

  it('counts every worker\'s streams, each publish once, and each worker\'s fan-out', async () => {
    const port = await freePort();
    const cli = startProcess(process.execPath, ['--import', 'tsx', CLI, '--workers', '2', '--metrics'], {
      env: { ...process.env, PORT: String(port), COMET_REDIS_URL: redis.url, COMET_PUBLISH_KEY: publishKey, COMET_METRICS_KEY: metricsKey },
    });
    const origin = `http://127.0.0.1:${port}`;
    const channel = uniqueChannel();
    const opened = 6;
    const readers: ReturnType<typeof follow>[] = [];
    try {
      await cli.waitFor('(2 workers on Redis)', 60_000);
      for (let n = 0; n < opened; n += 1) readers.push(follow([origin], [channel]));
      await until(() => readers.every((reader) => reader.connections === 1), 20_000, 'every reader\'s hello');

      // Several checks, each on a connection of its own, so both workers answer some of them.
      for (let n = 0; n < 4; n += 1) {
        const health = await get(`${origin}/comet/health`);
        assert.equal(health.status, 200, health.body);
        assert.deepEqual(JSON.parse(health.body), { ok: true, streams: opened, byTransport: { sse: opened, iframe: 0, 'long-poll': 0 }, workers: 2, unanswered: 0 });
      }

      // Asked together, the checks share the primary's round of questions and still each get the sums.
      const together = await Promise.all(Array.from({ length: 8 }, () => get(`${origin}/comet/health`)));
      for (const health of together) assert.equal((JSON.parse(health.body) as { streams: number }).streams, opened, health.body);

      const published = 5;
      for (let n = 0; n < published; n += 1) assert.equal(await publish(origin, { channel, data: { n } }), 200);
      assert.equal(await publish(origin, { channel, data: 'refused' }, 'not-the-key'), 401);
      await until(() => readers.every((reader) => reader.events.length === published), 20_000, 'every reader to have every event');

      const unkeyed = await get(`${origin}/comet/metrics`);
      assert.equal(unkeyed.status, 401);
      assert.match(unkeyed.body, /metrics-key-missing/);
      assert.equal((await get(`${origin}/comet/metrics`, { Authorization: `Bearer ${publishKey}` })).status, 401, 'the publish key is not the metrics key when one is set');

      for (let n = 0; n < 2; n += 1) {
        const scrape = await get(`${origin}/comet/metrics`, { Authorization: `Bearer ${metricsKey}` });
        assert.equal(scrape.status, 200, scrape.body);
        const text = scrape.body;
        assert.equal(sample(text, 'cometkit_streams{transport="sse"}'), opened, text);
        assert.equal(sample(text, 'cometkit_streams{transport="long-poll"}'), 0);
        assert.equal(sample(text, 'cometkit_publishes_total'), published, 'each publish counted once, by the worker that took it');
        // Each worker that holds readers writes each event once: both do when the streams were spread.
        const fannedOut = sample(text, 'cometkit_fanout_seconds_count');
        assert.equal(fannedOut, published * 2, `fan-outs: ${fannedOut}; were the streams all on one worker?\n${text}`);
        assert.equal(sample(text, 'cometkit_fanout_seconds_bucket{le="+Inf"}'), published * 2);
        assert.equal(sample(text, 'cometkit_refusals_total{code="publish-key-invalid"}'), 1);
        assert.equal(sample(text, 'cometkit_refusals_total{code="metrics-key-missing"}'), 1);
        assert.equal(sample(text, 'cometkit_refusals_total{code="metrics-key-invalid"}'), 1 + n);
        assert.equal(sample(text, 'cometkit_resumes_total'), 0);
        // Each publish is at least one command on Redis (its script), answered.
        assert.ok((sample(text, 'cometkit_redis_round_trip_seconds_count') ?? 0) >= published, text);
        // Fails the next scrape's count if this one were counted: the invalid key just above is.
        if (n === 0) assert.equal((await get(`${origin}/comet/metrics`, { Authorization: 'Bearer wrong' })).status, 401);
      }
    } finally {
      await Promise.all(readers.map((reader) => reader.stop()));
      await cli.stop('SIGTERM');
    }
  });
});
