import type { Broker } from './broker/broker.js';
import type { AllowedOrigins } from './http/cors.js';
import type { PresenceOptions } from './presence/presence-service.js';

export interface CometServerOptions {
  /** Path the endpoints live under. Default `/comet`. */
  readonly basePath?: string;
  /** Bearer key for `POST {base}/publish`. Default: `COMET_PUBLISH_KEY`; without one, publishing over HTTP is off. */
  readonly publishKey?: string;
  /** HS256 secret for user tokens. Default: `COMET_TOKEN_SECRET`; without one, tokens are not accepted. */
  readonly tokenSecret?: string;
  /** Channel patterns anyone may read without a token. Default: `['*']` without a token secret, `[]` with one. */
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
  /** Presence: heartbeat TTL, anonymous identities, where it is stored (see PROTOCOL.md, Presence). */
  readonly presence?: PresenceOptions;
}

export interface ResolvedOptions {
  readonly basePath: string;
  readonly publishKey: string | undefined;
  readonly tokenSecret: string | undefined;
  readonly publicChannels: readonly string[];
  readonly allowedOrigins: AllowedOrigins;
  readonly heartbeatMs: number;
  readonly historySize: number;
  readonly maxPayloadBytes: number;
  readonly maxChannelsPerStream: number;
  readonly maxBufferedBytes: number;
  readonly pollTimeoutMs: number;
  readonly iframeMaxBytes: number;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`cometkit server: ${name} must be a positive number, got ${value}.`);
  return value;
}

export function resolveOptions(options: CometServerOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const basePath = (options.basePath ?? '/comet').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) throw new TypeError('cometkit server: basePath must start with "/".');
  const tokenSecret = options.tokenSecret ?? (env['COMET_TOKEN_SECRET'] || undefined);
  const originsEnv = env['COMET_ALLOWED_ORIGINS'];
  const allowedOrigins =
    options.allowedOrigins ??
    (originsEnv === '*' ? '*' : originsEnv ? originsEnv.split(',').map((o) => o.trim()).filter(Boolean) : []);
  return {
    basePath,
    publishKey: options.publishKey ?? (env['COMET_PUBLISH_KEY'] || undefined),
    tokenSecret,
    publicChannels: options.publicChannels ?? (tokenSecret ? [] : ['*']),
    allowedOrigins,
    heartbeatMs: positive(options.heartbeatMs, 15_000, 'heartbeatMs'),
    historySize: positive(options.historySize, 1000, 'historySize'),
    maxPayloadBytes: positive(options.maxPayloadBytes, 64 * 1024, 'maxPayloadBytes'),
    maxChannelsPerStream: positive(options.maxChannelsPerStream, 64, 'maxChannelsPerStream'),
    maxBufferedBytes: positive(options.maxBufferedBytes, 1024 * 1024, 'maxBufferedBytes'),
    pollTimeoutMs: positive(options.pollTimeoutMs, 25_000, 'pollTimeoutMs'),
    iframeMaxBytes: positive(options.iframeMaxBytes, 256 * 1024, 'iframeMaxBytes'),
  };
}
