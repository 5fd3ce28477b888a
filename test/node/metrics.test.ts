/**
 * `GET {base}/metrics` of one process: off unless asked for, behind its key,
 * and the counters that a single process can show on its own (resumes, gaps,
 * refusals, the admission's retry: answer, publishes from server code).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { describe, it } from 'node:test';
import { createCometServer } from '../../server/comet-server.js';
import { epochOf, gapOf, helloOf } from '../support/frames.js';
import { startServer, uniqueChannel, until } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

async function scrape(base: string, key: string): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${key}` } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return text;
}

function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

describe('metrics endpoint', () => {
  it('is not served unless metrics are turned on', async () => {
    const server = await startServer({ publishKey: 'publish-key' });
    try {
      const res = await fetch(`${server.base}/metrics`, { headers: { Authorization: 'Bearer publish-key' } });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not-found');
    } finally {
      await server.close();
    }
  });

  it('refuses to start without a key for the scraper', () => {
    const saved = process.env['COMET_PUBLISH_KEY'];
    delete process.env['COMET_PUBLISH_KEY'];
    try {
      assert.throws(() => createCometServer({ metrics: true, browserFiles: false }), /metrics need a key for their scraper: set metrics\.key \(COMET_METRICS_KEY\) or a publishKey/);
    } finally {
      if (saved !== undefined) process.env['COMET_PUBLISH_KEY'] = saved;
    }
  });

  it('takes the publish key when no metrics key is given', async () => {
    const server = await startServer({ publishKey: 'publish-key', metrics: true });
    try {
      const text = await scrape(server.base, 'publish-key');
      assert.equal(sample(text, 'cometkit_streams{transport="sse"}'), 0);
      assert.equal(sample(text, 'cometkit_publishes_total'), 0);
    } finally {
      await server.close();
    }
  });

  it('counts a resume, the gap it starts with, its fan-out and publishes from server code', async () => {
    const server = await startServer({ historySize: 5, metrics: { key: 'scrape' } });
    const channel = uniqueChannel();
    const ids: string[] = [];
    for (let n = 1; n <= 12; n += 1) ids.push((await server.comet.publish(channel, n)).id);
    const stream = await openSse(server.sseUrl([channel], { cursor: `${channel}=${epochOf(ids[0]!)}-2` }));
    try {
      helloOf(await stream.next());
      gapOf(await stream.next());
      let text = await scrape(server.base, 'scrape');
      assert.equal(sample(text, 'cometkit_resumes_total'), 1);
      assert.equal(sample(text, 'cometkit_gaps_total'), 1);
      assert.equal(sample(text, 'cometkit_publishes_total'), 12);
      assert.equal(sample(text, 'cometkit_streams{transport="sse"}'), 1);
      // Nothing was live yet: the twelve were replayed, not fanned out.
      assert.equal(sample(text, 'cometkit_fanout_seconds_count'), 0);
      await server.comet.publish(channel, 13);
      await stream.nextOf('message');
      for (let n = 0; n < 5; n += 1) await stream.nextOf('message');
      text = await scrape(server.base, 'scrape');
      assert.equal(sample(text, 'cometkit_fanout_seconds_count'), 1);
      assert.equal(sample(text, 'cometkit_publishes_total'), 13);
    } finally {
      stream.close();
      await server.close();
    }
  });

  it('counts open streams by transport: SSE, iframe and a held poll', async () => {
    const server = await startServer({ metrics: { key: 'scrape' }, allowedOrigins: '*' });
    const held: ClientRequest[] = [];
    const hold = (url: string): void => {
      const req = request(url, { agent: false }, (res) => res.resume());
      req.on('error', () => {});
      req.end();
      held.push(req);
    };
    const channel = uniqueChannel();
    const sse = await openSse(server.sseUrl([channel]));
    try {
      hold(`${server.base}/iframe?ch=${channel}&origin=${encodeURIComponent('http://page.example')}`);
      hold(`${server.base}/poll?ch=${channel}`);
      await until(() => server.comet.stats().streams === 3, 5000, 'three streams held');
      const text = await scrape(server.base, 'scrape');
      assert.equal(sample(text, 'cometkit_streams{transport="sse"}'), 1, text);
      assert.equal(sample(text, 'cometkit_streams{transport="iframe"}'), 1, text);
      assert.equal(sample(text, 'cometkit_streams{transport="long-poll"}'), 1, text);
    } finally {
      sse.close();
      for (const req of held) req.destroy();
      await server.close();
    }
  });

  it('counts refusals by code, wherever in the handler they are answered', async () => {
    // One start per 1000 s: the bucket starts below one token, so every start here is refused, however slow the machine.
    const server = await startServer({ metrics: { key: 'scrape' }, maxStreamStartsPerSecond: 0.001 });
    try {
      assert.equal((await fetch(`${server.base}/nowhere`)).status, 404);
      assert.equal((await fetch(`${server.base}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
      // Refused as a status, and as the retry: a bare EventSource reads.
      const busy = await fetch(server.sseUrl([uniqueChannel()]));
      await busy.arrayBuffer();
      const retried = await fetch(server.sseUrl([uniqueChannel()]), { headers: { 'Last-Event-ID': 'x' } });
      const retryText = await retried.text();
      const text = await scrape(server.base, 'scrape');
      assert.equal(sample(text, 'cometkit_refusals_total{code="not-found"}'), 1);
      assert.equal(sample(text, 'cometkit_refusals_total{code="metrics-key-invalid"}'), 1);
      assert.equal(busy.status, 503);
      assert.equal(retried.status, 200);
      assert.match(retryText, /^retry: \d+/);
      assert.equal(sample(text, 'cometkit_refusals_total{code="server-busy"}'), 2);
    } finally {
      await server.close();
    }
  });
});

describe('deploy/grafana/cometkit.json', () => {
  it('queries only series the server exposes', async () => {
    const dashboard = await readFile(new URL('../../deploy/grafana/cometkit.json', import.meta.url), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b(cometkit_[a-z_]+)/g)].map((match) => match[1]!.replace(/_(bucket|count|sum)$/, '')));
    const server = await startServer({ metrics: { key: 'scrape' } });
    try {
      const exposed = new Set([...(await scrape(server.base, 'scrape')).matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
      assert.ok(queried.size >= 5, `the dashboard queries ${[...queried].join(', ')}`);
      for (const name of queried) assert.ok(exposed.has(name), `${name} is queried by the dashboard but not exposed (exposed: ${[...exposed].join(', ')})`);
    } finally {
      await server.close();
    }
  });
});
