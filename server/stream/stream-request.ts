import type { IncomingMessage } from 'node:http';
import { isValidChannel } from '../../src/protocol/channel.js';
import { checkCursor, type Cursor } from '../../src/protocol/cursor.js';
import { readAllowed } from '../auth/read-access.js';
import { MAX_TOKEN_LENGTH, type TokenClaims, type TokenVerifier } from '../auth/token.js';
import { tokenValidUntil } from '../auth/token-expiry.js';
import { INBOX_PREFIX, inboxChannel } from '../inbox/inbox-channel.js';
import { HttpStatusError } from '../http/http-error.js';
import type { ResolvedOptions } from '../options.js';

/** A validated request to read channels, whatever transport carries it. */
export interface StreamRequest {
  readonly channels: readonly string[];
  readonly cursor: Cursor;
  /** The bearer, when a valid token came with the request. */
  readonly user: TokenClaims | undefined;
  /** When the bearer's token stops being accepted (ms): what the request holds open ends then. */
  readonly validUntil: number | undefined;
  /** Who the request came from, for per-client limits. */
  readonly client: string | undefined;
}

function bearer(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '');
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Parses `ch`, `cursor` (merged with `Last-Event-ID`) and the token, and
 * checks that the bearer may read every channel asked for.
 */
export async function parseStreamRequest(req: IncomingMessage, url: URL, options: ResolvedOptions, verify: TokenVerifier | undefined): Promise<StreamRequest> {
  const channels = [...new Set(url.searchParams.getAll('ch'))];
  if (channels.length === 0) throw new HttpStatusError(400, 'no-channels', 'Name at least one channel with ?ch=<channel>.');
  if (channels.length > options.maxChannelsPerStream) {
    throw new HttpStatusError(400, 'too-many-channels', `A stream carries at most ${options.maxChannelsPerStream} channels; ${channels.length} were asked for.`);
  }
  for (const channel of channels) {
    if (!isValidChannel(channel)) {
      throw new HttpStatusError(400, 'bad-channel', `Channel "${String(channel).slice(0, 80)}" is not valid: use 1-128 of A-Z a-z 0-9 _ . : @ / -.`);
    }
  }

  const cursor = parseCursorParam(url.searchParams.get('cursor') ?? '');
  // A native EventSource reconnecting by itself keeps the URL it started with
  // and adds Last-Event-ID, which is newer: its positions win.
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string' && lastEventId !== '') {
    for (const [channel, position] of parseCursorParam(lastEventId)) cursor.set(channel, position);
  }
  for (const channel of cursor.keys()) if (!channels.includes(channel)) cursor.delete(channel);

  const user = await authenticate(req, url, verify, options);
  const client = options.clientAddress(req);
  // Every user may read their own inbox channel, whatever the token or the hook says; an anonymous
  // inbox (a demo) is anyone's to read. Wildcards reach neither (see read-access.ts).
  const own = user ? inboxChannel(user.sub) : undefined;
  let granted = channels;
  if (options.hooks?.subscribe) {
    // Another user's inbox is nobody's to grant, the application's hook included.
    const reserved = channels.find((channel) => channel.startsWith(INBOX_PREFIX) && channel !== own && !options.inboxAnonymous);
    if (reserved !== undefined) throw new HttpStatusError(403, 'channel-forbidden', `Channel "${reserved}" is another user's inbox.`);
    // The subscribe hook replaces publicChannels and the token's channels: the application decides.
    const asked = channels.filter((channel) => channel !== own);
    if (asked.length > 0) {
      const allowed = await options.hooks.allowedChannels({ endpoint: endpointOf(url, options), client }, user, asked);
      granted = channels.filter((channel) => channel === own || allowed.has(channel));
      for (const channel of cursor.keys()) if (!granted.includes(channel)) cursor.delete(channel);
    }
  } else {
    const allowed = [
      ...options.publicChannels,
      ...(options.inboxAnonymous ? [`${INBOX_PREFIX}*`] : []),
      ...(user?.channels ?? []),
      ...(own ? [own] : []),
    ];
    const forbidden = channels.filter((channel) => !readAllowed(allowed, channel));
    if (forbidden.length > 0) {
      if (!user) {
        throw new HttpStatusError(401, 'token-missing', `Channel "${forbidden[0]}" is not public: send a token (?token= or Authorization: Bearer).`);
      }
      throw new HttpStatusError(403, 'channel-forbidden', `The token of "${user.sub}" does not allow channel "${forbidden[0]}".`);
    }
  }
  return { channels: granted, cursor, user, validUntil: tokenValidUntil(user, options.tokens), client };
}

/** The endpoint's path below the base (`sse`, `inbox/state`), as hooks are told it. */
function endpointOf(url: URL, options: ResolvedOptions): string {
  const path = options.basePath !== '' && url.pathname.startsWith(`${options.basePath}/`) ? url.pathname.slice(options.basePath.length) : url.pathname;
  return path.replace(/^\/+/, '').slice(0, 100);
}

function parseCursorParam(text: string): Cursor {
  const cursor = checkCursor(text);
  if (typeof cursor === 'string') throw new HttpStatusError(400, 'bad-cursor', `The cursor is malformed: ${cursor}.`);
  return cursor;
}

/**
 * The bearer's claims when the request carries a token; 401 when it carries a
 * bad one. With a connect hook, the application has the last word: it may
 * name the user (from a cookie, or a token of its own the server does not
 * verify), keep the token's, or refuse.
 */
export async function authenticate(req: IncomingMessage, url: URL, verify: TokenVerifier | undefined, options: ResolvedOptions): Promise<TokenClaims | undefined> {
  const token = bearer(req, url);
  const hooks = options.hooks?.connect ? options.hooks : undefined;
  if (hooks) {
    const context = { endpoint: endpointOf(url, options), client: options.clientAddress(req) };
    if (token === undefined || token === '') return hooks.identify(req, context, undefined, undefined);
    // Without token verification configured, the token is the application's own: it is passed on raw.
    if (!verify) {
      if (token.length > MAX_TOKEN_LENGTH) throw new HttpStatusError(401, 'token-invalid', `The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
      return hooks.identify(req, context, undefined, token);
    }
    return hooks.identify(req, context, await verifiedClaims(token, verify), undefined);
  }
  if (token === undefined || token === '') return undefined;
  if (!verify) {
    throw new HttpStatusError(401, 'token-invalid', 'This server accepts no tokens (no tokenSecret, tokenPublicKey or tokenJwksUrl is set).');
  }
  return verifiedClaims(token, verify);
}

async function verifiedClaims(token: string, verify: TokenVerifier): Promise<TokenClaims> {
  const check = await verify(token);
  if (!check.ok) throw new HttpStatusError(check.status, check.code, check.message, check.status === 503 ? { 'Retry-After': '5' } : {});
  return check.claims;
}
