import type { IncomingMessage } from 'node:http';
import { isValidChannel } from '../../src/protocol/channel.js';
import type { TokenClaims } from '../auth/token.js';
import { HttpStatusError } from '../http/http-error.js';
import { HookEndpoint, type HookEndpointOptions } from './hook-endpoint.js';

/**
 * The application's own endpoints asked, in any language, whether a request
 * may connect (who is it?) and subscribe (which channels may it read?).
 * See PROTOCOL.md, Hooks.
 */
export interface HooksOptions {
  /** Signs every question (HMAC-SHA256, `Comet-Signature`), as the inbox webhook. At least 16 characters. Default: `COMET_HOOK_SECRET`. */
  readonly secret?: string;
  /** Asked who the request is, with its credentials. Default: `COMET_HOOK_CONNECT_URL`. */
  readonly connect?: HookEndpointOptions | string;
  /** Asked which of the channels named the request may read. Default: `COMET_HOOK_SUBSCRIBE_URL`. */
  readonly subscribe?: HookEndpointOptions | string;
}

/** Who is asking, as the hooks are told. */
export interface HookContext {
  /** The endpoint asked, e.g. `sse`, `history`, `send`. */
  readonly endpoint: string;
  readonly client: string | undefined;
}

const REASON_MAX = 200;
const USER_PATTERN = /^[^\p{Cc}]{1,128}$/u;
/** Control characters and direction overrides: a reason is shown to the user as text. */
const UNSHOWABLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export class AccessHooks {
  constructor(
    readonly connect: HookEndpoint | undefined,
    readonly subscribe: HookEndpoint | undefined,
  ) {}

  /**
   * The connect hook's verdict on a request: claims for the user it names
   * (replacing the token's), the token's claims when it names none, or a
   * `403 hook-refused`. It is sent the token's claims when the server
   * verified one, else the raw bearer, and the request's Cookie header.
   */
  async identify(req: IncomingMessage, context: HookContext, claims: TokenClaims | undefined, rawToken: string | undefined): Promise<TokenClaims | undefined> {
    if (!this.connect) return claims;
    const cookie = req.headers.cookie;
    const origin = req.headers.origin;
    const answer = await this.connect.ask({
      hook: 'connect',
      endpoint: context.endpoint,
      client: context.client ?? null,
      origin: typeof origin === 'string' ? origin : null,
      claims: claims ?? null,
      ...(rawToken !== undefined ? { token: rawToken } : {}),
      ...(typeof cookie === 'string' ? { cookie } : {}),
    });
    if (answer['allow'] !== true) throw refused('connect', answer);
    const user = answer['user'];
    if (user === undefined || user === null) return claims;
    if (typeof user !== 'string' || !USER_PATTERN.test(user)) throw malformed('connect', '"user" must be 1-128 characters without control characters');
    const channels = patterns(answer['channels'], 'channels');
    const publish = patterns(answer['publish'], 'publish');
    const name = answer['name'];
    if (name !== undefined && typeof name !== 'string') throw malformed('connect', '"name" must be a string');
    return { sub: user, ...(channels ? { channels } : {}), ...(publish ? { publish } : {}), ...(typeof name === 'string' ? { name: name.replace(UNSHOWABLE, '').slice(0, 128) } : {}) };
  }

  /**
   * The channels of `asked` the subscribe hook allows: all of them, the
   * subset it names (it can narrow, never widen), or a `403 hook-refused`
   * when it refuses or leaves none.
   */
  async allowedChannels(context: HookContext, user: TokenClaims | undefined, asked: readonly string[]): Promise<Set<string>> {
    if (!this.subscribe) return new Set(asked);
    const answer = await this.subscribe.ask({ hook: 'subscribe', endpoint: context.endpoint, client: context.client ?? null, user: user?.sub ?? null, channels: asked });
    if (answer['allow'] !== true) throw refused('subscribe', answer);
    const named = answer['channels'];
    if (named === undefined) return new Set(asked);
    if (!Array.isArray(named) || !named.every((channel) => typeof channel === 'string' && isValidChannel(channel))) {
      throw malformed('subscribe', '"channels" must be a list of channel names');
    }
    const allowed = new Set(asked.filter((channel) => named.includes(channel)));
    if (allowed.size === 0) throw new HttpStatusError(403, 'hook-refused', 'The application allows none of these channels.');
    return allowed;
  }

  close(): void {
    this.connect?.close();
    this.subscribe?.close();
  }
}

/** The hooks configured by `options` or the environment, or undefined when there are none. */
export function resolveHooks(options: HooksOptions | undefined, env: NodeJS.ProcessEnv): AccessHooks | undefined {
  const connect = endpointOptions(options?.connect ?? (env['COMET_HOOK_CONNECT_URL'] || undefined), env);
  const subscribe = endpointOptions(options?.subscribe ?? (env['COMET_HOOK_SUBSCRIBE_URL'] || undefined), env);
  if (!connect && !subscribe) {
    if (options?.secret !== undefined) throw new TypeError('cometkit server: hooks.secret is set but no hook url (hooks.connect, hooks.subscribe) is.');
    return undefined;
  }
  const secret = options?.secret ?? (env['COMET_HOOK_SECRET'] || undefined);
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new TypeError('cometkit server: hooks need a secret of at least 16 characters (hooks.secret or COMET_HOOK_SECRET): the application checks it to know the questions come from this server.');
  }
  return new AccessHooks(connect && new HookEndpoint('connect', connect, secret), subscribe && new HookEndpoint('subscribe', subscribe, secret));
}

function endpointOptions(value: HookEndpointOptions | string | undefined, env: NodeJS.ProcessEnv): HookEndpointOptions | undefined {
  if (value === undefined) return undefined;
  const fromEnv = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const number = Number(text);
    if (!Number.isFinite(number)) throw new TypeError(`cometkit server: ${name} must be a number of milliseconds, got "${text.slice(0, 40)}".`);
    return number;
  };
  if (typeof value !== 'string') return value;
  const timeoutMs = fromEnv('COMET_HOOK_TIMEOUT_MS');
  const cacheMs = fromEnv('COMET_HOOK_CACHE_MS');
  return { url: value, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(cacheMs !== undefined ? { cacheMs } : {}) };
}

function patterns(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 256 || !value.every((pattern) => typeof pattern === 'string' && pattern.length <= 130)) {
    throw malformed('connect', `"${field}" must be a list of at most 256 channel patterns`);
  }
  return value as string[];
}

function refused(hook: string, answer: Record<string, unknown>): HttpStatusError {
  const reason = typeof answer['reason'] === 'string' ? answer['reason'].replace(UNSHOWABLE, '').trim().slice(0, REASON_MAX) : '';
  return new HttpStatusError(403, 'hook-refused', reason !== '' ? `The application refused this request: ${reason}` : `The application's ${hook} check refused this request.`);
}

/** An answer the server cannot act on is the application's fault: fail closed, as when it is down. */
let malformedLoggedAt = -Infinity;
function malformed(hook: string, why: string): HttpStatusError {
  if (Date.now() - malformedLoggedAt >= 10_000) {
    malformedLoggedAt = Date.now();
    console.error(`cometkit server: the ${hook} hook answered allow with ${why}; the request is refused with 503 hook-unavailable.`);
  }
  return new HttpStatusError(503, 'hook-unavailable', `The application's ${hook} check answered something the server cannot use; try again shortly.`, { 'Retry-After': '5' });
}
