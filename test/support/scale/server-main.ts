/**
 * One reference-server process on Redis, as the scale-out tests run it:
 * `node --import tsx test/support/scale/server-main.ts` with PORT,
 * COMET_REDIS_URL, COMET_PUBLISH_KEY and COMET_HEARTBEAT_MS set. Besides
 * cometkit under /comet it answers, on loopback only, POST /control/disconnect
 * (cut every open stream, as a proxy dropping them would) and
 * GET /control/streams?prefix= (held requests — SSE, iframe, poll — with a
 * channel starting with prefix: which process serves a test's client) and
 * POST /control/stall-sse?ms= (for that long, SSE requests get their headers
 * and nothing more, as behind a buffering proxy: clients step their
 * transport down, and back up once a probe finds SSE healthy again).
 * SIGTERM drains it as `cometkit-server` does (COMET_DRAIN_WINDOW_MS).
 */
import { createServer } from 'node:http';
import { redisBroker } from '../../../server/broker/redis-broker.js';
import { createCometServer } from '../../../server/comet-server.js';
import { redisPresenceStore } from '../../../server/presence/redis-presence-store.js';
import { clientAddressBehind, trustedProxies } from '../../../server/http/trusted-proxies.js';
import { inboxFromEnv } from '../../../server/standalone/inbox-from-env.js';
import { pushFromEnv } from '../../../server/standalone/push-from-env.js';
import { limitsFromEnv } from '../../../server/standalone/limits-from-env.js';
import { stopGracefully } from '../../../server/standalone/graceful-stop.js';

const url = process.env['COMET_REDIS_URL'];
if (!url) throw new Error('COMET_REDIS_URL is required');
const broker = redisBroker({ url, historySize: Number(process.env['COMET_HISTORY_SIZE'] ?? 10_000) });
const comet = createCometServer({
  // The caps an operator sets (COMET_MAX_CONNECTIONS…); the settings below are the tests' own.
  ...limitsFromEnv(),
  broker,
  presence: { store: redisPresenceStore({ url }), ttlMs: 3000 },
  publishKey: process.env['COMET_PUBLISH_KEY'],
  allowedOrigins: '*',
  heartbeatMs: Number(process.env['COMET_HEARTBEAT_MS'] ?? 1000),
  historySize: Number(process.env['COMET_HISTORY_SIZE'] ?? 10_000),
  pollTimeoutMs: 5000,
  // Anonymous sends for the shared idempotency-key test.
  send: { publicChannels: ['send.*'] },
  // Critical categories, the action webhook and the snooze poll, from COMET_INBOX_* (the inbox tests set them);
  // anonymous, for the shared-inbox test.
  inbox: { anonymous: true, ...inboxFromEnv() },
  // Web Push from COMET_VAPID_* and COMET_PUSH_ALLOWED_ENDPOINTS (the push tests set them; off otherwise).
  push: { ...pushFromEnv(), hiddenGraceMs: 0 },
  // Behind the tests' nginx on loopback, as deploy/nginx/cometkit.conf advises.
  clientAddress: clientAddressBehind(trustedProxies(['127.0.0.1', '::1'])),
});
/** The channel lists of held requests still open. */
const held = new Set<readonly string[]>();
let stallSseUntil = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/control/streams') {
    const prefix = url.searchParams.get('prefix') ?? '';
    let streams = 0;
    for (const channels of held) if (channels.some((channel) => channel.startsWith(prefix))) streams += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ streams }));
    return;
  }
  if (req.method === 'POST' && url.pathname === '/control/stall-sse') {
    stallSseUntil = Date.now() + Number(url.searchParams.get('ms') ?? 5000);
    const closed = comet.disconnect();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ closed }));
    return;
  }
  if (url.pathname === '/comet/sse' && Date.now() < stallSseUntil) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Access-Control-Allow-Origin': '*' });
    res.flushHeaders();
    // Held silent; ended once the stall is over so nothing lingers.
    setTimeout(() => res.end(), stallSseUntil - Date.now() + 1000).unref();
    return;
  }
  if (['/comet/sse', '/comet/iframe', '/comet/poll'].includes(url.pathname)) {
    const channels = url.searchParams.getAll('ch');
    held.add(channels);
    res.once('close', () => held.delete(channels));
  }
  if (req.method === 'POST' && req.url === '/control/disconnect') {
    const closed = comet.disconnect();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ closed }));
    return;
  }
  comet(req, res);
});
await broker.ready();
server.listen(Number(process.env['PORT']), '127.0.0.1', () => console.log(`listening on ${process.env['PORT']} (pid ${process.pid})`));
// As cometkit-server does: SIGTERM drains the process (its streams are told when to come back) before it exits.
stopGracefully(server, comet, { windowMs: comet.options.drainWindowMs });
