import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a cometkit token says about its bearer. */
export interface TokenClaims {
  /** User id: presence is kept per user. */
  readonly sub: string;
  /** Channel patterns the user may read (`news`, `user:42:*`, `*`). */
  readonly channels?: readonly string[];
  /** Channel patterns the user may send to with `POST {base}/send`; distinct from what it may read. */
  readonly publish?: readonly string[];
  /** Display name, shown by presence. */
  readonly name?: string;
  /** Expiry, seconds since the Unix epoch. */
  readonly exp?: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: 'token-invalid' | 'token-expired'; message: string };

const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/** Signs a compact JWT (HS256). Use it on your own server to hand tokens to signed-in users. */
export function signToken(claims: TokenClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Verifies an HS256 JWT; any other algorithm is refused, whatever the header claims. */
export function verifyToken(token: string, secret: string, now = Date.now()): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, code: 'token-invalid', message: 'The token is not a JWT (three dot-separated parts).' };
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'token-invalid', message: 'The token signature does not match the server secret.' };
  }
  let parsedHeader: unknown;
  let claims: unknown;
  try {
    parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, code: 'token-invalid', message: 'The token header or payload is not JSON.' };
  }
  if ((parsedHeader as { alg?: unknown })?.alg !== 'HS256') {
    return { ok: false, code: 'token-invalid', message: 'The token must be signed with HS256.' };
  }
  const c = claims as Partial<Record<keyof TokenClaims, unknown>>;
  if (typeof c !== 'object' || c === null || typeof c.sub !== 'string' || c.sub === '') {
    return { ok: false, code: 'token-invalid', message: 'The token has no "sub" (user id).' };
  }
  if (c.channels !== undefined && !(Array.isArray(c.channels) && c.channels.every((p) => typeof p === 'string'))) {
    return { ok: false, code: 'token-invalid', message: 'The token\'s "channels" must be an array of strings.' };
  }
  if (c.publish !== undefined && !(Array.isArray(c.publish) && c.publish.every((p) => typeof p === 'string'))) {
    return { ok: false, code: 'token-invalid', message: 'The token\'s "publish" must be an array of strings.' };
  }
  if (c.exp !== undefined && (typeof c.exp !== 'number' || c.exp * 1000 <= now)) {
    return { ok: false, code: 'token-expired', message: 'The token has expired; fetch a new one.' };
  }
  return { ok: true, claims: c as TokenClaims };
}
