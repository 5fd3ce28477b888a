/**
 * The real reference server for browser tests, plus control endpoints the
 * tests call to act as "the backend": publish, cut streams, read stats and
 * mint tokens. The test runner config starts one per run (from source,
 * through tsx, so browser tests never depend on a build).
 *
 * The test page is served by the test runner on another origin, so every
 * endpoint here answers CORS for any origin: the comet endpoints through
 * `allowedOrigins: '*'`, the control endpoints by hand.
 *
 * Standalone, for poking at it by hand: `node --import tsx test/support/harness.ts`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { signToken, type TokenClaims } from '../../server/auth/token.js';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import { generateVapidKeys } from '../../server/push/vapid.js';
import { staticFiles } from '../../server/demo/static-files.js';
import { HttpStatusError } from '../../server/http/http-error.js';
import type { CometServerOptions } from '../../server/options.js';
import { startLab } from './proxies/lab.js';
import { serveTamperedDist } from './tampered-dist.js';
import { clusterControl } from './scale/cluster-control.js';
import { pushpinSkipReason, startPushpin, waitForHolds, type Pushpin } from './pushpin.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { requestTrace } from './request-trace.js';
import { wireScripts } from './wire-script.js';

export interface Harness {
  /** `http://127.0.0.1:PORT`: control endpoints under /control/, cometkit under /comet. */
  readonly url: string;
  readonly comet: CometServer;
  readonly publishKey: string;
  readonly tokenSecret: string;
  close(): Promise<void>;
}

/** What GET /control/info answers; env.ts reuses the type for the browser side. */
export interface HarnessInfo {
  readonly url: string;
  readonly comet: string;
  readonly publishKey: string;
  readonly publicChannels: readonly string[];
  readonly heartbeatMs: number;
  readonly historySize: number;
}

const CONTROL_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '600',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CONTROL_CORS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpStatusError(400, 'bad-json', 'The control body is not JSON.');
  }
}

/** The `sub` of the request's bearer token, unverified: only to pick which requests an outage refuses. */
function bearerSubject(req: IncomingMessage): string {
  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  try {
    return String((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown }).sub ?? '');
  } catch {
    return '';
  }
}

interface PublishItem {
  channel: string;
  type?: string;
  data: unknown;
}

export async function startHarness(overrides: Partial<CometServerOptions> = {}, port = 0): Promise<Harness> {
  // Fresh secrets per run: nothing in a browser test may depend on a known key.
  const publishKey = randomBytes(16).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  // A second server under /anon without tokens, so presence takes the identity the page gives (a demo setup).
  const anonymous = createCometServer({ basePath: '/anon', allowedOrigins: '*', heartbeatMs: 1000, presence: { ttlMs: 1500 } });
  // A third under /strict that allows one origin no test page has: a page the push server refuses.
  const strict = createCometServer({ basePath: '/strict', allowedOrigins: ['https://app.example'], heartbeatMs: 1000 });
  // And one under /slow that beats every 15 s, the default: a pause of ours shorter than a beat must still be seen.
  const slow = createCometServer({ basePath: '/slow', allowedOrigins: '*', heartbeatMs: 15_000 });
  const comet = createCometServer({
    basePath: '/comet',
    publishKey,
    tokenSecret,
    publicChannels: ['t.*'],
    allowedOrigins: '*',
    heartbeatMs: 1000,
    historySize: 200,
    // Short, so a browser context that goes away is seen leaving within a test's patience.
    presence: { ttlMs: 1500 },
    inbox: {
      critical: ['security'],
      // The application's side of actions: "Approved" for approve, a failure for an item that asks for one.
      onAction: ({ item, action }) => {
        if ((item.data as { failAction?: unknown } | null)?.failAction === true) throw new Error('the application refused');
        return action.id === 'approve' ? { label: 'Approved' } : undefined;
      },
      snoozePollMs: 100,
    },
    // VAPID keys made per run: the push switches of <comet-bell> and <comet-preferences> show. No push
    // service is allowed, so nothing is ever sent (the browser's real subscribing is test/node/push-browser.test.ts).
    push: { vapid: { ...generateVapidKeys(), subject: 'mailto:tests@example.com' } },
    send: {
      // Low enough that a test reaches it in a few sends; each test sends as its own user.
      rate: { perSecond: 2, burst: 10 },
      onSend: ({ data }) => {
        if ((data as { refuse?: unknown } | null)?.refuse === true) throw new HttpStatusError(422, 'send-refused', 'This server refuses sends that ask to be refused.');
        return undefined;
      },
    },
    ...overrides,
  });

  // The transport lab: its own server with buffering and cutting proxies in front (see proxies/lab.ts).
  const lab = await startLab();
  // Printed where a failed run's log shows it: the cutting proxy's cut times replay from it.
  console.log(`transport lab: proxies' seed ${lab.info.seed} (COMET_LAB_SEED=${lab.info.seed} replays their cut times)`);
  // Redis, two processes and nginx, started only when a test asks (see scale/cluster-control.ts).
  const cluster = clusterControl();
  // Scripted SSE responses on a real socket, for wire cases the server never produces (wire-script.ts).
  const wire = wireScripts();
  /** `cometkit-server --dev` in a process of its own, started by the first test that asks (POST /control/dev-server). */
  let devServer: Promise<DevServer> | undefined;
  let url = '';
  const gripTrace = requestTrace();
  /** A third server under /grip behind a private Pushpin (when installed): the Pushpin tests' server. */
  let grip: { readonly comet: CometServer; readonly pushpin: Pushpin } | undefined;
  const gripSkipped = pushpinSkipReason();
  /** The channel lists of stream requests still open (SSE and iframe), for GET /control/streams. */
  const openStreams = new Set<readonly string[]>();
  /** The channel lists of every stream request so far (the last 20,000), for GET /control/streams's `opened`. */
  const streamLog: Array<readonly string[]> = [];
  /** Idempotency keys whose next send answer is lost: the server stores the event, the page never hears back. */
  const losingAnswers = new Set<string>();
  /** Channel → time until which stream requests carrying it are refused with 503, as by a server that is down. */
  const outages = new Map<string, number>();
  /** User → time until which that user's inbox changes are refused with 503, as by an inbox store that is down. */
  const inboxOutages = new Map<string, number>();
  const control = async (req: IncomingMessage, res: ServerResponse, path: URL): Promise<void> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CONTROL_CORS);
      res.end();
      return;
    }
    const route = `${req.method} ${path.pathname}`;
    if (path.pathname.startsWith('/control/cluster/')) return send(res, 200, await cluster.handle(req, path, () => readJson(req)));
    switch (route) {
      case 'POST /control/publish': {
        // Through the server API, not HTTP: tests publish without knowing the key.
        const body = await readJson(req);
        const items = (Array.isArray(body) ? body : [body]) as PublishItem[];
        const published = [];
        const target = path.searchParams.get('server') === 'slow' ? slow : comet;
        for (const item of items) published.push(await target.publish(item?.channel, item?.data, item?.type ?? 'message'));
        return send(res, 200, Array.isArray(body) ? published : published[0]);
      }
      case 'POST /control/disconnect': {
        const channel = path.searchParams.get('ch');
        return send(res, 200, { closed: comet.disconnect(channel ? { channel } : {}) });
      }
      case 'POST /control/outage': {
        // Cuts the channel's streams and refuses new ones for `ms`: events published meanwhile
        // can only reach the client by a resume from its cursor (or as a gap).
        const channel = path.searchParams.get('ch') ?? '';
        outages.set(channel, Date.now() + Number(path.searchParams.get('ms') ?? 1000));
        return send(res, 200, { closed: comet.disconnect({ channel }) });
      }
      case 'POST /control/notify': {
        // A backend adding notifications to a user's inbox, through the server API.
        // Rich fields (category, actions, group…) pass through as given.
        const { user, count, data, ...fields } = ((await readJson(req)) ?? {}) as { user: string; data: unknown; count?: number };
        const items = [];
        for (let i = 0; i < Math.min(Math.max(1, Number(count ?? 1)), 1000); i += 1) {
          items.push(await comet.inbox.notify(user, { ...fields, data: count ? { ...(data as object), n: i + 1 } : data }));
        }
        return send(res, 200, items);
      }
      case 'POST /control/inbox-outage': {
        inboxOutages.set(path.searchParams.get('user') ?? '', Date.now() + Number(path.searchParams.get('ms') ?? 1000));
        return send(res, 200, { ok: true });
      }
      case 'POST /control/lose-answer': {
        losingAnswers.add(path.searchParams.get('key') ?? '');
        return send(res, 200, { ok: true });
      }
      case 'GET /control/stats':
        return send(res, 200, comet.stats());
      case 'GET /control/streams': {
        // Counts only the streams of one test's channels: the server's stats() counts every
        // stream of the run, and the browsers run their tests at the same time.
        const prefix = path.searchParams.get('prefix') ?? '';
        const carries = (channels: readonly string[]): boolean => channels.some((channel) => channel.startsWith(prefix));
        let streams = 0;
        for (const channels of openStreams) if (carries(channels)) streams += 1;
        return send(res, 200, { streams, opened: streamLog.filter(carries).length });
      }
      case 'GET /control/token': {
        const sub = path.searchParams.get('sub') || 'test-user';
        const channels = (path.searchParams.get('channels') ?? '').split(',').filter(Boolean);
        const publish = (path.searchParams.get('publish') ?? '').split(',').filter(Boolean);
        const name = path.searchParams.get('name');
        const exp = path.searchParams.get('exp');
        const claims: TokenClaims = {
          sub,
          ...(channels.length > 0 ? { channels } : {}),
          ...(publish.length > 0 ? { publish } : {}),
          ...(name ? { name } : {}),
          // Seconds from now; negative mints an already expired token.
          ...(exp !== null && exp !== '' ? { exp: Math.floor(Date.now() / 1000) + Number(exp) } : {}),
        };
        return send(res, 200, { token: await signToken(claims, tokenSecret), claims });
      }
      case 'POST /control/dev-server': {
        devServer ??= startDevServer();
        const dev = await devServer;
        return send(res, 200, { comet: dev.comet });
      }
      case 'POST /control/dev-server/notify': {
        // The app's backend adding to a user's inbox over HTTP with the publish key, as the README shows.
        const dev = await (devServer ?? Promise.reject(new HttpStatusError(409, 'not-started', 'POST /control/dev-server first.')));
        const answer = await fetch(`${dev.comet}/inbox/notify`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${dev.publishKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(await readJson(req)),
        });
        return send(res, answer.status, await answer.json());
      }
      case 'GET /control/lab':
        return send(res, 200, lab.info);
      case 'GET /control/grip':
        return send(res, 200, grip ? { url: `${grip.pushpin.origin}${grip.comet.options.basePath}` } : { url: null, reason: gripSkipped });
      case 'POST /control/grip/publish': {
        if (!grip) throw new HttpStatusError(404, 'not-found', `No Pushpin: ${gripSkipped}.`);
        const item = (await readJson(req)) as PublishItem;
        return send(res, 200, await grip.comet.publish(item?.channel, item?.data, item?.type ?? 'message'));
      }
      case 'GET /control/grip/trace': {
        // What the server answered the proxy for these channels, and the proxy's own log lines naming them.
        if (!grip) throw new HttpStatusError(404, 'not-found', `No Pushpin: ${gripSkipped}.`);
        const channels = path.searchParams.getAll('ch');
        return send(res, 200, { server: gripTrace.lines(channels), pushpin: grip.pushpin.logs(channels) });
      }
      case 'POST /control/grip/disconnect': {
        // Pushpin ends the channel's streams it holds; the clients resume through it.
        if (!grip) throw new HttpStatusError(404, 'not-found', `No Pushpin: ${gripSkipped}.`);
        return send(res, 200, { closed: grip.comet.disconnect({ channel: path.searchParams.get('ch') ?? '' }) });
      }
      case 'GET /control/wire':
      case 'POST /control/wire': {
        const answer = await wire.control(req, res, path, () => readJson(req));
        if (answer === undefined) throw new HttpStatusError(400, 'bad-script', 'POST /control/wire?key=K needs { steps: [ … ] } with at least one step.');
        return send(res, 200, answer);
      }
      case 'GET /control/info': {
        const info: HarnessInfo = {
          url,
          comet: url + comet.options.basePath,
          publishKey,
          publicChannels: comet.options.publicChannels,
          heartbeatMs: comet.options.heartbeatMs,
          historySize: comet.options.historySize,
        };
        return send(res, 200, info);
      }
      default:
        throw new HttpStatusError(404, 'not-found', `No control endpoint ${route}.`);
    }
  };

  // The built bundles, from this other origin: the script-tag use served by a push server, not by the site.
  const dist = staticFiles({ '/dist/': fileURLToPath(new URL('../../dist/', import.meta.url)) });

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost');
    if (path.pathname.startsWith('/dist/')) {
      // As a CDN would: a same-origin worker file may `import` cometkit's worker from here (a CORS fetch).
      res.setHeader('Access-Control-Allow-Origin', '*');
      void dist(req, res).then((served) => {
        if (served) return;
        send(res, 404, { error: { code: 'not-found', message: `${path.pathname} is not built: run \`npm run build\` first.` } });
      });
      return;
    }
    if (serveTamperedDist(req, res, path)) return;
    if (path.pathname.startsWith('/control/')) {
      control(req, res, path).catch((error: unknown) => {
        const status = error instanceof HttpStatusError ? error.status : 500;
        const code = error instanceof HttpStatusError ? error.code : 'internal';
        send(res, status, { error: { code, message: error instanceof Error ? error.message : String(error) } });
      });
      return;
    }
    if (path.pathname.startsWith('/wire/')) return wire.serve(req, res, path);
    if (req.method === 'POST' && path.pathname === '/comet/inbox/state' && (inboxOutages.get(bearerSubject(req)) ?? 0) > Date.now()) {
      res.writeHead(503, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'Inbox outage simulated by the test harness.' } }));
      return;
    }
    const down = path.searchParams.getAll('ch').some((channel) => (outages.get(channel) ?? 0) > Date.now());
    if (down && path.pathname !== '/comet/history') {
      res.writeHead(503, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'Outage simulated by the test harness.' } }));
      return;
    }
    if (path.pathname === '/comet/sse' || path.pathname === '/comet/iframe') {
      const channels = path.searchParams.getAll('ch');
      // Counted from its first write (the SSE hello), when the server has subscribed it: a test
      // that waits for the count and then publishes cannot publish into the gap before that.
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      let logged = false;
      res.write = ((...args: unknown[]) => {
        if (!res.writableEnded) openStreams.add(channels);
        if (!res.writableEnded && !logged) {
          logged = true;
          streamLog.push(channels);
          if (streamLog.length > 20_000) streamLog.shift();
        }
        return write(...args);
      }) as typeof res.write;
      res.once('close', () => openStreams.delete(channels));
    }
    const key = req.headers['idempotency-key'];
    if (req.method === 'POST' && path.pathname === '/comet/send' && typeof key === 'string' && losingAnswers.delete(key)) {
      // As a connection that drops after the server acted: the send is stored, its answer never arrives.
      res.end = (() => {
        req.socket.destroy();
        return res;
      }) as typeof res.end;
    }
    if (path.pathname.startsWith('/anon/')) return anonymous(req, res);
    if (path.pathname.startsWith('/strict/')) return strict(req, res);
    if (path.pathname.startsWith('/slow/')) return slow(req, res);
    if (path.pathname.startsWith('/grip/')) {
      if (grip) {
        gripTrace.record(req, res);
        return grip.comet(req, res);
      }
      return send(res, 404, { error: { code: 'not-found', message: `No Pushpin: ${gripSkipped}.` } });
    }
    comet(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (!gripSkipped) {
    const pushpin = await startPushpin({ backendPort: (server.address() as AddressInfo).port });
    grip = {
      pushpin,
      comet: createCometServer({
        basePath: '/grip',
        allowedOrigins: '*',
        heartbeatMs: 1000,
        historySize: 200,
        grip: { controlUrl: pushpin.controlUrl, signingKey: pushpin.signingKey },
      }),
    };
    await waitForHolds(`${pushpin.origin}/grip/sse?ch=t.pushpin-ready`);
  }

  return {
    url,
    comet,
    publishKey,
    tokenSecret,
    async close() {
      await (await devServer?.catch(() => undefined))?.stop();
      await lab.close();
      await cluster.close();
      await comet.close();
      await grip?.comet.close();
      await grip?.pushpin.stop();
      await anonymous.close();
      await strict.close();
      await slow.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const harness = await startHarness({}, Number(process.env['PORT'] ?? 0));
  console.log(`harness on ${harness.url} (comet at ${harness.url}/comet, control at ${harness.url}/control/)`);
  const stop = (): void => void harness.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
