import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Broker } from './broker/broker.js';
import { resolveGripOptions, type GripOptions, type ResolvedGripOptions } from './grip/grip-options.js';
import type { TokenVerifyOptions } from './auth/token.js';
import type { AllowedOrigins } from './http/cors.js';
import { canonicalOrigin } from './http/origin.js';
import type { ServerPresenceOptions } from './presence/presence-service.js';
import type { ServerSendOptions } from './send/send-service.js';
import type { InboxOptions } from './inbox/inbox-service.js';
import { INBOX_PREFIX } from './inbox/inbox-channel.js';
import type { PushOptions } from './push/push-service.js';
import type { WorkerGroup } from './metrics/worker-group.js';
import { resolveHooks, type AccessHooks, type HooksOptions } from './hooks/access-hooks.js';

export interface CometServerOptions {
  /** Path the endpoints live under. Default `/comet`. */
  readonly basePath?: string;
  /** Bearer key for `POST {base}/publish`. Default: `COMET_PUBLISH_KEY`; without one, publishing over HTTP is off. */
  readonly publishKey?: string;
  /** HS256 secret for user tokens. Default: `COMET_TOKEN_SECRET`. Without a secret, public key or JWKS URL, tokens are not accepted. */
  readonly tokenSecret?: string;
  /** Public key (PEM, public JWK or KeyObject) of an identity provider signing tokens with RS256, ES256 or EdDSA. Default: `COMET_TOKEN_PUBLIC_KEY`. */
  readonly tokenPublicKey?: string | KeyObject | Record<string, unknown>;
  /** JWKS URL of an identity provider signing tokens with RS256, ES256 or EdDSA. Default: `COMET_TOKEN_JWKS_URL`. */
  readonly tokenJwksUrl?: string;
  /** Accepted token algorithms. Default `['HS256']` with a secret, `['RS256', 'ES256', 'EdDSA', 'Ed25519']` with a key. */
  readonly tokenAlgorithms?: readonly string[];
  /** When set, a token's `aud` must name it. Default: `COMET_TOKEN_AUDIENCE`. */
  readonly tokenAudience?: string | readonly string[];
  /** When set, a token's `iss` must be it. Default: `COMET_TOKEN_ISSUER`. */
  readonly tokenIssuer?: string | readonly string[];
  /** Seconds of clock difference tolerated on `exp` and `nbf`. Default 5. */
  readonly tokenClockToleranceSeconds?: number;
  /**
   * The origins this server's own pages are served from (`https://app.example`),
   * treated as same-origin. Default: `COMET_PUBLIC_ORIGINS` (comma-separated);
   * the server also knows the scheme and address a request reached it on.
   * Never judged from the Host header, which a DNS-rebinding page controls.
   */
  readonly publicOrigins?: readonly string[];
  /**
   * Channel patterns anyone may read without a token. Default: `['*', 'presence:*']`
   * without a token secret, `[]` with one. `*` reaches no `presence:` or `inbox:`
   * channel (PROTOCOL.md, Authentication); an `inbox:` pattern is refused here (an
   * inbox is never public: `inbox.anonymous` is the demo switch).
   */
  readonly publicChannels?: readonly string[];
  /** Serve cometkit's browser files (script tags, their modules, the worker file) under `{basePath}/cometkit/`. Default true. */
  readonly browserFiles?: boolean;
  /** Origins allowed to connect from a browser, or `'*'`. Default: `COMET_ALLOWED_ORIGINS` (comma-separated), else same-origin only. */
  readonly allowedOrigins?: AllowedOrigins;
  /** Milliseconds between heartbeats. Default 15000. */
  readonly heartbeatMs?: number;
  /** Events kept per channel for resuming (memory broker). Default 1000. */
  readonly historySize?: number;
  /** Largest request body accepted, in bytes. Default 65536. */
  readonly maxPayloadBytes?: number;
  /** Most channels one stream may carry. Default 64. */
  readonly maxChannelsPerStream?: number;
  /** Bytes a slow reader may leave unread before its stream is cut (it resumes from its cursor). Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** How long `GET {base}/poll` is held when there is nothing to send (ms). Default 25000. */
  readonly pollTimeoutMs?: number;
  /** Bytes after which an iframe stream's document is ended; the client re-opens from its cursor. Default 256 KiB. */
  readonly iframeMaxBytes?: number;
  /** Where events live; by default a memory broker for this process. */
  readonly broker?: Broker;
  /** Memory broker: a channel nobody reads or publishes to for this long is forgotten (ms). Default 1 hour. */
  readonly historyTtlMs?: number;
  /** Memory broker: most channels held at once. Default 100000. */
  readonly maxChannels?: number;
  /** Memory broker: bytes of event JSON held across all histories. Default 64 MiB. */
  readonly maxHistoryBytes?: number;
  /** Streams and held polls open at once, in total; past it `503 server-busy` with `Retry-After`. Default 10000. */
  readonly maxConnections?: number;
  /** Streams and held polls one token user may hold at once; past it `429 too-many-streams`. Default 64. */
  readonly maxStreamsPerUser?: number;
  /** Streams and held polls one client address may hold at once; past it `429 too-many-streams`. Default 2000 (an office behind one NAT address). */
  readonly maxStreamsPerClient?: number;
  /** Names the client a request comes from, for per-client limits. Default: the socket's remote address. Behind a proxy, read its forwarded header here. */
  readonly clientAddress?: (req: IncomingMessage) => string | undefined;
  /** Time allowed to receive a request body (ms); a slower body gets `408 body-timeout`. Default 10000. */
  readonly bodyTimeoutMs?: number;
  /** Largest `GET {base}/history` or roster answer, in bytes; past it the oldest events or the latest arrivals are left out and `truncated` is set. Default 1 MiB. */
  readonly maxAnswerBytes?: number;
  /** SSE and iframe streams started per second; past it a start is told when to come back (`503 server-busy` with `Retry-After`, or `retry:` for a bare EventSource), spread at this rate. Default 2000. */
  readonly maxStreamStartsPerSecond?: number;
  /** The latest a start refused by `maxStreamStartsPerSecond` is asked to come back (ms). Default 60000. */
  readonly maxStartDelayMs?: number;
  /**
   * Graceful drain (`drain()`, and SIGTERM/SIGINT in the standalone server):
   * each open stream is told to come back after a delay drawn over this
   * window (ms), so a process's clients reach the others spread out. Also
   * the standalone server's deadline for its last connections. Default 10000.
   */
  readonly drainWindowMs?: number;
  /** Presence: heartbeat TTL, anonymous identities, where it is stored (see PROTOCOL.md, Presence). */
  readonly presence?: ServerPresenceOptions;
  /** Behind Pushpin (GRIP): the proxy holds the connections and the server publishes to it. Default: on when `COMET_GRIP_URL` is set. */
  readonly grip?: GripOptions;
  /** Client sends (`POST {base}/send`): the `onSend` hook, anonymous channels, rate limit, idempotency keys (see PROTOCOL.md, Send). */
  readonly send?: ServerSendOptions;
  /** Per-user notification inbox with seen/read/archived state: limits, store, anonymous use (see PROTOCOL.md, Inbox). */
  readonly inbox?: InboxOptions;
  /** Web Push for inbox items when no tab of a device is visible: VAPID keys, allowed push services, store (see PROTOCOL.md, Push). Off without VAPID keys. */
  readonly push?: PushOptions;
  /**
   * `GET {base}/metrics` in Prometheus text format (needs the prom-client package). Off by default.
   * A scraper sends `Authorization: Bearer <key>`: `key`, or the publish key when none is given (see README, Metrics).
   */
  readonly metrics?: boolean | { readonly key?: string };
  /** The processes sharing this server's port (`cometkit-server --workers N`): `/health` and `/metrics` then speak for all of them. */
  readonly workers?: WorkerGroup;
  /** The application's URLs asked whether a request may connect and which channels it may read, in any language (see PROTOCOL.md, Hooks). Default: `COMET_HOOK_CONNECT_URL`, `COMET_HOOK_SUBSCRIBE_URL`. */
  readonly hooks?: HooksOptions;
}

export interface ResolvedOptions {
  readonly basePath: string;
  readonly publishKey: string | undefined;
  readonly tokenSecret: string | undefined;
  /** The token verification configured, or undefined when the server accepts no tokens. */
  readonly tokens: TokenVerifyOptions | undefined;
  readonly publicOrigins: readonly string[];
  readonly publicChannels: readonly string[];
  /** Inbox requests without a token name their user with `?user=`, and every inbox channel is public (a demo). */
  readonly inboxAnonymous: boolean;
  readonly allowedOrigins: AllowedOrigins;
  readonly heartbeatMs: number;
  readonly historySize: number;
  readonly maxPayloadBytes: number;
  readonly maxChannelsPerStream: number;
  readonly maxBufferedBytes: number;
  readonly pollTimeoutMs: number;
  readonly iframeMaxBytes: number;
  readonly grip: ResolvedGripOptions | undefined;
  readonly maxConnections: number;
  readonly maxStreamsPerUser: number;
  readonly maxStreamsPerClient: number;
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
  readonly bodyTimeoutMs: number;
  readonly maxAnswerBytes: number;
  readonly maxStreamStartsPerSecond: number;
  readonly maxStartDelayMs: number;
  readonly drainWindowMs: number;
  /** The connect and subscribe hooks, or undefined when none is configured. */
  readonly hooks: AccessHooks | undefined;
}

/** See `drainWindowMs`. */
export const DRAIN_WINDOW_DEFAULT_MS = 10_000;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`cometkit server: ${name} must be a positive number, got ${value}.`);
  return value;
}

export function resolveOptions(options: CometServerOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const basePath = (options.basePath ?? '/comet').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) throw new TypeError('cometkit server: basePath must start with "/".');
  const tokenSecret = options.tokenSecret ?? (env['COMET_TOKEN_SECRET'] || undefined);
  const publicKey = options.tokenPublicKey ?? (env['COMET_TOKEN_PUBLIC_KEY'] || undefined);
  const jwksUrl = options.tokenJwksUrl ?? (env['COMET_TOKEN_JWKS_URL'] || undefined);
  const audience = options.tokenAudience ?? (env['COMET_TOKEN_AUDIENCE'] || undefined);
  const issuer = options.tokenIssuer ?? (env['COMET_TOKEN_ISSUER'] || undefined);
  const tokens: TokenVerifyOptions | undefined =
    tokenSecret || publicKey || jwksUrl
      ? {
          ...(tokenSecret ? { secret: tokenSecret } : {}),
          ...(publicKey ? { publicKey } : {}),
          ...(jwksUrl ? { jwksUrl } : {}),
          ...(options.tokenAlgorithms ? { algorithms: options.tokenAlgorithms } : {}),
          ...(audience ? { audience } : {}),
          ...(issuer ? { issuer } : {}),
          ...(options.tokenClockToleranceSeconds !== undefined ? { clockToleranceSeconds: options.tokenClockToleranceSeconds } : {}),
        }
      : undefined;
  const publicOrigins = (options.publicOrigins ?? list(env['COMET_PUBLIC_ORIGINS'])).map((origin) => {
    const canonical = canonicalOrigin(origin);
    if (!canonical) throw new TypeError(`cometkit server: publicOrigins entry "${origin}" is not an origin (scheme://host[:port]).`);
    return canonical;
  });
  const originsEnv = env['COMET_ALLOWED_ORIGINS'];
  const allowedList = options.allowedOrigins ?? (originsEnv?.trim() === '*' ? '*' : list(originsEnv));
  // Spelled as a browser sends Origin (lower-case host, no default port, no path): a listed
  // `https://App.example/` would otherwise never match and every request from it be refused.
  const allowedOrigins =
    allowedList === '*'
      ? '*'
      : allowedList.map((origin) => {
          const canonical = canonicalOrigin(origin);
          if (!canonical) throw new TypeError(`cometkit server: allowedOrigins (COMET_ALLOWED_ORIGINS) entry "${origin.slice(0, 100)}" is not an origin: scheme://host[:port], e.g. https://app.example.`);
          return canonical;
        });
  return {
    basePath,
    publishKey: options.publishKey ?? (env['COMET_PUBLISH_KEY'] || undefined),
    tokenSecret,
    tokens,
    publicOrigins,
    publicChannels: checkPublicChannels(options.publicChannels ?? (tokens ? [] : ['*', 'presence:*'])),
    inboxAnonymous: options.inbox?.anonymous ?? false,
    allowedOrigins,
    heartbeatMs: positive(options.heartbeatMs, 15_000, 'heartbeatMs'),
    historySize: positive(options.historySize, 1000, 'historySize'),
    maxPayloadBytes: positive(options.maxPayloadBytes, 64 * 1024, 'maxPayloadBytes'),
    maxChannelsPerStream: positive(options.maxChannelsPerStream, 64, 'maxChannelsPerStream'),
    maxBufferedBytes: positive(options.maxBufferedBytes, 1024 * 1024, 'maxBufferedBytes'),
    pollTimeoutMs: positive(options.pollTimeoutMs, 25_000, 'pollTimeoutMs'),
    iframeMaxBytes: positive(options.iframeMaxBytes, 256 * 1024, 'iframeMaxBytes'),
    grip: resolveGripOptions(options.grip, env),
    maxConnections: positive(options.maxConnections, 10_000, 'maxConnections'),
    maxStreamsPerUser: positive(options.maxStreamsPerUser, 64, 'maxStreamsPerUser'),
    maxStreamsPerClient: positive(options.maxStreamsPerClient, 2000, 'maxStreamsPerClient'),
    clientAddress: options.clientAddress ?? ((req) => req.socket.remoteAddress),
    bodyTimeoutMs: positive(options.bodyTimeoutMs, 10_000, 'bodyTimeoutMs'),
    maxAnswerBytes: positive(options.maxAnswerBytes, 1024 * 1024, 'maxAnswerBytes'),
    maxStreamStartsPerSecond: positive(options.maxStreamStartsPerSecond, 2000, 'maxStreamStartsPerSecond'),
    maxStartDelayMs: positive(options.maxStartDelayMs, 60_000, 'maxStartDelayMs'),
    drainWindowMs: positive(options.drainWindowMs, DRAIN_WINDOW_DEFAULT_MS, 'drainWindowMs'),
    hooks: resolveHooks(options.hooks, env),
  };
}

function checkPublicChannels(patterns: readonly string[]): readonly string[] {
  const inbox = patterns.find((pattern) => pattern.startsWith(INBOX_PREFIX));
  if (inbox !== undefined) {
    throw new TypeError(
      `cometkit server: publicChannels cannot make inboxes public ("${inbox.slice(0, 80)}"); each user reads their own with a token, or set inbox.anonymous: true for a demo without sign-in.`,
    );
  }
  return patterns;
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}
