import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometEvent } from '../src/protocol/messages.js';
import type { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory-broker.js';
import { createTokenVerifier } from './auth/token.js';
import { BrokerFullError } from './broker/broker.js';
import { CoalescedReads } from './broker/coalesced-reads.js';
import { allowReadingAnswer, answerPreflight, applyCors } from './http/cors.js';
import { HttpStatusError, sendError, sendJson } from './http/http-error.js';
import { isAbortedRequest } from './http/aborted.js';
import { requestUrl } from './http/request-url.js';
import { resolveOptions, type CometServerOptions, type ResolvedOptions } from './options.js';
import { serveHistory } from './routes/history.js';
import { serveIframe } from './routes/iframe.js';
import { servePoll } from './routes/poll.js';
import { serveHeartbeat, serveLeave, serveRoster } from './routes/presence.js';
import { PresenceService } from './presence/presence-service.js';
import { checkPublishInput, servePublish } from './routes/publish.js';
import { serveSse } from './routes/sse.js';
import { BROWSER_FILES_PATH, browserFiles } from './static/browser-files.js';
import { GripBroker } from './grip/grip-broker.js';
import { GripPublisher } from './grip/grip-publisher.js';
import { serveSend } from './routes/send.js';
import { serveState } from './routes/presence-state.js';
import {
  serveInboxAction,
  serveInboxCounts,
  serveInboxList,
  serveInboxNotify,
  serveInboxPreferences,
  serveInboxSetPreferences,
  serveInboxSnooze,
  serveInboxState,
} from './routes/inbox.js';
import { InboxService } from './inbox/inbox-service.js';
import { PushService, vapidFrom } from './push/push-service.js';
import { servePushDevices, servePushKey, servePushSubscribe, servePushUnsubscribe, servePushVisibility } from './routes/push.js';
import { SendService } from './send/send-service.js';
import { RateLimiter } from './send/rate-limiter.js';
import { ConnectionRegistry, type StreamStats } from './stream/connections.js';
import { Fanout } from './stream/fanout.js';
import { Admission, refuseStart } from './stream/admission.js';
import { parseStreamRequest } from './stream/stream-request.js';
import { CometMetrics } from './metrics/comet-metrics.js';
import { metricsKeyOf, serveMetrics } from './routes/metrics.js';

export interface CometServer {
  /** Node request handler; `next` is called for paths outside `basePath` (Connect/Express style). */
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  readonly options: ResolvedOptions;
  readonly broker: Broker;
  /** Who is on which channel; joins and leaves are published on `presence:<channel>`. */
  readonly presence: PresenceService;
  /** Each user's notifications with seen/read/archived state; `notify()` adds one and tells the user's devices. */
  readonly inbox: InboxService;
  /** Publishes from server code, without HTTP. */
  publish(channel: string, data: unknown, type?: string): Promise<CometEvent>;
  stats(): StreamStats;
  /** The endpoints below `basePath` and their methods (browser files and `--dev`'s token aside), e.g. to declare routes in a framework. */
  readonly endpoints: ReadonlyArray<{ readonly path: string; readonly methods: readonly string[] }>;
  /**
   * Ends open streams (those carrying `channel`, or all); clients resume from
   * their cursors. Returns how many this process held; behind a GRIP proxy,
   * the proxy is asked to end the ones it holds as well.
   */
  disconnect(filter?: { channel?: string }): number;
  /**
   * Graceful drain, before the process stops: every open stream and held
   * poll is told to come back from its cursor after a delay drawn over
   * `windowMs` (default `drainWindowMs`, 10 s), and so is every one that
   * starts from now on, right after its hello. Resolves once this process
   * holds none. Streams a GRIP proxy holds survive the process and stay
   * open, except those whose token's end this process minds: they are told
   * to come back too, so a process that stays minds it.
   * Stop accepting connections first (`server.close()`), then `close()`.
   */
  drain(options?: { windowMs?: number }): Promise<void>;
  /** Ends every open stream and closes the broker. */
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * Creates the reference server's request handler. Mount it in any Node
 * server: `http.createServer(comet)`, `app.use(comet)` in Express, or a
 * hijacked route in Fastify (see README).
 */
export function createCometServer(options: CometServerOptions = {}): CometServer {
  const resolved = resolveOptions(options);
  const store: Broker =
    options.broker ??
    new MemoryBroker({
      historySize: resolved.historySize,
      ...(options.historyTtlMs !== undefined ? { historyTtlMs: options.historyTtlMs } : {}),
      ...(options.maxChannels !== undefined ? { maxChannels: options.maxChannels } : {}),
      ...(options.maxHistoryBytes !== undefined ? { maxHistoryBytes: options.maxHistoryBytes } : {}),
    });
  const gripPublisher = resolved.grip ? new GripPublisher(resolved.grip, resolved.heartbeatMs) : undefined;
  const broker = gripPublisher ? new GripBroker(store, gripPublisher) : store;
  const connections = new ConnectionRegistry(resolved);
  const reads = new CoalescedReads(broker);
  const admission = new Admission({ perSecond: resolved.maxStreamStartsPerSecond, maxDelayMs: resolved.maxStartDelayMs });
  const metrics = options.metrics ? new CometMetrics(() => connections.stats()) : undefined;
  const metricsKey = metrics ? metricsKeyOf(options.metrics, resolved.publishKey) : undefined;
  if (metrics) store.observeRoundTrips?.((ms) => metrics.redisRoundTrip(ms));
  options.workers?.attach({ stats: () => connections.stats(), metricsRegistry: metrics?.registry });
  const fanout = new Fanout(broker, { heartbeatMs: resolved.heartbeatMs, reads, metrics });
  // A broker for several processes shares the inbox, idempotency keys and member states as well
  // (each only where the options name no store of their own): otherwise a retried send that
  // reaches another process is stored twice, and each process has its own inbox.
  const shared = store.sharedStores?.({
    ...(options.inbox?.maxItemsPerUser !== undefined ? { inboxMaxItemsPerUser: options.inbox.maxItemsPerUser } : {}),
    ...(options.send?.idempotency?.ttlMs !== undefined ? { idempotencyTtlMs: options.send.idempotency.ttlMs } : {}),
  });
  const presence = new PresenceService(broker, { ...(shared ? { stateStore: shared.presenceStates } : {}), ...options.presence }, resolved.tokens !== undefined);
  const verify = resolved.tokens ? createTokenVerifier(resolved.tokens) : undefined;
  const send = new SendService(broker, { ...(shared ? { idempotencyStore: shared.idempotency } : {}), ...options.send }, resolved.maxPayloadBytes);
  // A state changes on keystrokes: the client throttles, this bounds a client that does not.
  const stateLimiter = new RateLimiter({ perSecond: 10, burst: 20 });
  const vapid = vapidFrom(options.push);
  const push = vapid ? new PushService(vapid, { ...(shared ? { store: shared.push } : {}), ...options.push }) : undefined;
  const inbox = new InboxService(broker, { ...(shared ? { store: shared.inbox } : {}), ...options.inbox }, resolved.maxPayloadBytes, push);
  if (inbox.anonymous) {
    console.warn("cometkit server: the anonymous inbox is on (inbox.anonymous): anyone may read and change any user's inbox with ?user=. For a demo only.");
  }
  // Seen marks come in batches and reads one per click: this bounds a client that floods.
  const inboxLimiter = new RateLimiter({ perSecond: 20, burst: 40 });
  const gripExpiry = gripPublisher ? gripPublisher.expiryChannel.bind(gripPublisher) : undefined;
  const deps = { broker, reads, admission, options: resolved, connections, presence, verify, send, stateLimiter, inbox, inboxLimiter, push, fanout, grip: resolved.grip, gripExpiry, metrics };
  const read = (req: IncomingMessage, url: URL) => parseStreamRequest(req, url, resolved, verify);

  const routes: Record<string, Partial<Record<string, Route>>> = {
    '/sse': { GET: async (req, res, url) => serveSse(req, res, url, await read(req, url), deps) },
    '/iframe': { GET: (req, res, url) => serveIframe(req, res, url, deps) },
    '/poll': { GET: async (req, res, url) => servePoll(req, res, url, await read(req, url), deps) },
    '/history': { GET: async (req, res, url) => serveHistory(res, url, await read(req, url), deps) },
    '/publish': { POST: (req, res) => servePublish(req, res, deps) },
    '/send': { POST: (req, res, url) => serveSend(req, res, url, deps) },
    '/presence': {
      GET: (req, res, url) => serveRoster(req, res, url, deps),
      POST: (req, res, url) => serveHeartbeat(req, res, url, deps),
    },
    '/presence/leave': { POST: (req, res, url) => serveLeave(req, res, url, deps) },
    '/presence/state': { POST: (req, res, url) => serveState(req, res, url, deps) },
    '/inbox': { GET: (req, res, url) => serveInboxList(req, res, url, deps) },
    '/inbox/counts': { GET: (req, res, url) => serveInboxCounts(req, res, url, deps) },
    '/inbox/state': { POST: (req, res, url) => serveInboxState(req, res, url, deps) },
    '/inbox/notify': { POST: (req, res) => serveInboxNotify(req, res, deps) },
    '/inbox/preferences': {
      GET: (req, res, url) => serveInboxPreferences(req, res, url, deps),
      PUT: (req, res, url) => serveInboxSetPreferences(req, res, url, deps),
    },
    '/inbox/action': { POST: (req, res, url) => serveInboxAction(req, res, url, deps) },
    '/inbox/snooze': { POST: (req, res, url) => serveInboxSnooze(req, res, url, deps) },
    '/push/key': { GET: (req, res) => servePushKey(req, res, deps) },
    '/push/subscriptions': {
      GET: (req, res, url) => servePushDevices(req, res, url, deps),
      POST: (req, res, url) => servePushSubscribe(req, res, url, deps),
      DELETE: (req, res, url) => servePushUnsubscribe(req, res, url, deps),
    },
    '/push/visibility': { POST: (req, res, url) => servePushVisibility(req, res, url, deps) },
    '/health': { GET: async (_req, res) => sendJson(res, 200, { ok: true, ...(options.workers ? await options.workers.stats() : connections.stats()) }) },
  };
  if (metrics && metricsKey) {
    routes['/metrics'] = { GET: (req, res) => serveMetrics(req, res, { key: metricsKey, local: metrics, workers: options.workers }) };
  }

  const files = options.browserFiles === false ? undefined : browserFiles();

  // Every refusal of this handler passes here, so the metrics count each by its code.
  const refuse = (res: ServerResponse, error: HttpStatusError): void => {
    metrics?.refused(error.code);
    sendError(res, error);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown): void => {
    if (error instanceof HttpStatusError) return refuse(res, error);
    if (error instanceof BrokerFullError) return refuse(res, new HttpStatusError(503, 'channels-full', error.message, { 'Retry-After': '30' }));
    // A client that hung up mid-request is not a server fault: nothing to answer, nothing to log.
    if (isAbortedRequest(req, error)) {
      res.destroy();
      return;
    }
    console.error('cometkit server: unexpected error', error);
    refuse(res, new HttpStatusError(500, 'internal', 'The server failed to handle this request; it was logged.'));
  };

  const handler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const url = requestUrl(req);
    if (!url) {
      // Not a URL anyone could route: an app we are mounted in may still want to answer it.
      if (next) return next();
      res.setHeader('X-Content-Type-Options', 'nosniff');
      return refuse(res, new HttpStatusError(400, 'bad-request', 'The request target is not a valid URL path.'));
    }
    const path = routePath(req, url.pathname, resolved.basePath);
    const route = path !== undefined && Object.hasOwn(routes, path) ? routes[path] : undefined;
    const file = files && path?.startsWith(BROWSER_FILES_PATH) ? path.slice(BROWSER_FILES_PATH.length) : undefined;
    if (!route && file === undefined) {
      if (next) return next();
      // Readable by the page that asked: a mistyped base path then names itself instead of failing as a network error.
      try {
        allowReadingAnswer(req, res, resolved.allowedOrigins);
      } catch (error) {
        return fail(req, res, error);
      }
      if (req.method === 'OPTIONS') return answerPreflight(res);
      return refuse(res, new HttpStatusError(404, 'not-found', `No cometkit endpoint at ${url.pathname.slice(0, 200)}.`));
    }
    // nosniff is written by each answer with its status line (server/http/nosniff.ts).
    const run = async (): Promise<void> => {
      // Public code for any page: its own CORS, not the endpoints' allowedOrigins.
      if (file !== undefined) return files!(req, res, file);
      if (!route) return;
      applyCors(req, res, resolved.allowedOrigins, resolved.publicOrigins);
      if (req.method === 'OPTIONS') return answerPreflight(res);
      const name = req.method ?? 'GET';
      // Own keys only: a method named like an Object.prototype member is no route.
      const method = Object.hasOwn(route, name) ? route[name] : undefined;
      if (!method) {
        res.setHeader('Allow', Object.keys(route).join(', '));
        throw new HttpStatusError(405, 'method-not-allowed', `${url.pathname.slice(0, 200)} accepts ${Object.keys(route).join(', ')}, not ${String(req.method).slice(0, 20)}.`);
      }
      // Before the request is parsed or its token checked: a refused start must cost next to nothing.
      // (The iframe's refusal is posted as a frame, so its route asks admission itself.)
      if (req.method === 'GET' && path === '/sse') {
        const delay = admission.admit();
        if (delay !== undefined) {
          // Counted here: a bare EventSource's refusal is a 200 with retry:, not an error.
          if (req.headers['last-event-id']) metrics?.refused('server-busy');
          return refuseStart(req, res, path, delay);
        }
      }
      await method(req, res, url);
    };
    run().catch((error: unknown) => fail(req, res, error));
  };

  return Object.assign(handler, {
    options: resolved,
    broker,
    presence,
    inbox,
    // async so invalid input rejects the promise instead of throwing past a caller's `.catch()`.
    publish: async (channel: string, data: unknown, type = 'message') => {
      const event = await broker.publish(checkPublishInput({ channel, type, data }, 'publish()'));
      metrics?.published(1);
      return event;
    },
    stats: () => connections.stats(),
    endpoints: Object.entries(routes).map(([path, methods]) => ({ path, methods: Object.keys(methods) })),
    disconnect: (filter?: { channel?: string }) => {
      // Behind a GRIP proxy the streams are held there: it is asked to end them too (not counted).
      gripPublisher?.disconnect(filter?.channel);
      return connections.disconnect(filter);
    },
    // async so a bad window rejects the promise rather than throwing past a caller's `.then()`.
    drain: async (drainOptions?: { windowMs?: number }) => {
      const windowMs = drainOptions?.windowMs ?? resolved.drainWindowMs;
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new TypeError(`cometkit server: drain() takes a positive windowMs, got ${windowMs}.`);
      await Promise.all([connections.drain(windowMs), gripPublisher?.drain(windowMs)]);
    },
    close: async () => {
      connections.disconnect();
      resolved.hooks?.close();
      await presence.close();
      await send.close();
      await inbox.close();
      await broker.close();
    },
  });
}

/** The endpoint path below the base, or undefined when the request is not for us. */
function routePath(req: IncomingMessage, pathname: string, basePath: string): string | undefined {
  if (basePath === '' ) return pathname;
  if (pathname.startsWith(`${basePath}/`)) return pathname.slice(basePath.length);
  // Connect and Express strip the mount path from req.url and keep the original. Express sets
  // originalUrl on every request, so only a difference means we were mounted under a path.
  const original = (req as { originalUrl?: unknown }).originalUrl;
  if (typeof original === 'string' && original !== req.url) return pathname;
  return undefined;
}
