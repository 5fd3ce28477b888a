import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { loadJose, type Jose } from './jose.js';

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
  /** Not valid before, seconds since the Unix epoch. */
  readonly nbf?: number;
  readonly aud?: string | readonly string[];
  readonly iss?: string;
  readonly iat?: number;
}

/**
 * How tokens are verified. A secret alone means HS256 tokens signed by the
 * site's own server (`signToken`); a public key or a JWKS URL means tokens
 * signed by an identity provider with RS256, ES256 or EdDSA.
 */
export interface TokenVerifyOptions {
  /** HS256 shared secret. */
  readonly secret?: string;
  /** A public key (PEM `-----BEGIN PUBLIC KEY-----`, a public JWK, or a KeyObject) for asymmetric tokens. */
  readonly publicKey?: string | KeyObject | Record<string, unknown>;
  /** Where the identity provider publishes its keys; fetched on demand and cached, refreshed when an unknown `kid` appears. */
  readonly jwksUrl?: string;
  /** Algorithms accepted. Default: `['HS256']` with a secret; `['RS256', 'ES256', 'EdDSA', 'Ed25519']` with a key or JWKS. */
  readonly algorithms?: readonly string[];
  /** When set, the token's `aud` must name it (or one of them). */
  readonly audience?: string | readonly string[];
  /** When set, the token's `iss` must be it (or one of them). */
  readonly issuer?: string | readonly string[];
  /** Seconds of clock difference tolerated on `exp` and `nbf`. Default 5. */
  readonly clockToleranceSeconds?: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; status: 401 | 503; code: 'token-invalid' | 'token-expired' | 'token-keys-unavailable'; message: string };

export type TokenVerifier = (token: string) => Promise<TokenCheck>;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
export const TOKEN_EXPIRED_MESSAGE = 'The token has expired; fetch a new one.';
const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'] as const;
/** A token longer than this is refused before it is decoded: no identity provider issues 8 KiB read tokens. */
export const MAX_TOKEN_LENGTH = 8192;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Signs an HS256 token. Use it on your own server to hand tokens to signed-in users. */
export async function signToken(claims: TokenClaims, secret: string): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT({ ...claims } as Record<string, unknown>)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/**
 * Base64url has several spellings of the same bytes (unused low bits in the
 * last character, trailing characters some decoders ignore). Only the one
 * canonical spelling of each segment is accepted, so a token is exactly one
 * string and cannot be varied to slip past a cache or a revocation list.
 */
function canonical(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  return parts.every((part) => SEGMENT.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part);
}

const invalid = (message: string): TokenCheck => ({ ok: false, status: 401, code: 'token-invalid', message });

/** The claims cometkit reads, checked for type; jose has already checked the signature and the times. */
function readClaims(payload: Record<string, unknown>): TokenCheck {
  const { sub, channels, publish, name } = payload;
  if (typeof sub !== 'string' || sub === '') return invalid('The token has no "sub" (user id).');
  if (channels !== undefined && !(Array.isArray(channels) && channels.every((p) => typeof p === 'string'))) {
    return invalid('The token\'s "channels" must be an array of strings.');
  }
  if (publish !== undefined && !(Array.isArray(publish) && publish.every((p) => typeof p === 'string'))) {
    return invalid('The token\'s "publish" must be an array of strings.');
  }
  if (name !== undefined && typeof name !== 'string') return invalid('The token\'s "name" must be a string.');
  return { ok: true, claims: payload as unknown as TokenClaims };
}

function explain(error: unknown, algorithms: readonly string[], { errors }: Jose): TokenCheck {
  if (error instanceof errors.JWTExpired) {
    return { ok: false, status: 401, code: 'token-expired', message: TOKEN_EXPIRED_MESSAGE };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') return invalid('The token is not valid yet (nbf is in the future).');
    return invalid(`The token's "${error.claim}" claim is not acceptable (${error.reason === 'check_failed' ? 'wrong value' : error.reason}).`);
  }
  if (error instanceof errors.JWKSTimeout || (error instanceof errors.JOSEError && error.code === 'ERR_JWKS_INVALID')) {
    return { ok: false, status: 503, code: 'token-keys-unavailable', message: 'The identity provider\'s keys (JWKS) could not be fetched; try again shortly.' };
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('No key of the identity provider matches the token (kid / alg).');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('The token signature does not match the server\'s key.');
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid(`The token must be signed with ${algorithms.join(' or ')}.`);
  if (error instanceof errors.JOSEError) return invalid(`The token is malformed (${error.code}).`);
  // fetch failures of the JWKS URL surface as plain errors.
  return { ok: false, status: 503, code: 'token-keys-unavailable', message: 'The identity provider\'s keys (JWKS) could not be fetched; try again shortly.' };
}

function publicKeyOf(value: NonNullable<TokenVerifyOptions['publicKey']>): KeyObject {
  if (typeof value === 'string') return createPublicKey(value);
  if ('asymmetricKeyType' in value || 'export' in value) return value as KeyObject;
  return createPublicKey({ key: value as never, format: 'jwk' });
}

/** Builds the verifier once per server, so a JWKS is fetched once and cached. */
export function createTokenVerifier(options: TokenVerifyOptions): TokenVerifier {
  const sources = [options.secret, options.publicKey, options.jwksUrl].filter((s) => s !== undefined && s !== '');
  if (sources.length !== 1) {
    throw new TypeError('cometkit server: give exactly one of tokenSecret, tokenPublicKey or tokenJwksUrl.');
  }
  let key: Uint8Array | KeyObject | ((jose: Jose) => JWTVerifyGetKey);
  if (options.secret) key = new TextEncoder().encode(options.secret);
  else if (options.publicKey) key = publicKeyOf(options.publicKey);
  else {
    const url = new URL(options.jwksUrl!);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('cometkit server: tokenJwksUrl must be an http(s) URL.');
    let keySet: JWTVerifyGetKey | undefined;
    // Made once, on the first token: it holds the fetched key set and its cooldown.
    key = ({ createRemoteJWKSet }) => (keySet ??= createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000 }));
  }
  // Said at start, once, rather than on the first request that carries a token.
  loadJose().catch((error: unknown) => console.error((error as Error).message));
  const algorithms = [...(options.algorithms ?? (options.secret ? ['HS256'] : ASYMMETRIC_ALGORITHMS))];
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError(`cometkit server: clockToleranceSeconds must be 0 or more, got ${tolerance}.`);
  const verifyOptions = {
    algorithms,
    clockTolerance: tolerance,
    ...(options.audience !== undefined ? { audience: options.audience as string | string[] } : {}),
    ...(options.issuer !== undefined ? { issuer: options.issuer as string | string[] } : {}),
  };

  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) return invalid(`The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    if (!canonical(token)) return invalid('The token is not a compact JWT in canonical base64url (three dot-separated parts).');
    const library = await loadJose();
    try {
      const { payload } = await library.jwtVerify(token, (typeof key === 'function' ? key(library) : key) as Uint8Array, verifyOptions);
      return readClaims(payload);
    } catch (error) {
      return explain(error, algorithms, library);
    }
  };
}

/** Verifies one token (HS256 with a secret, or per `options`). A server verifies through one `createTokenVerifier`. */
export async function verifyToken(token: string, secretOrOptions: string | TokenVerifyOptions): Promise<TokenCheck> {
  const options = typeof secretOrOptions === 'string' ? { secret: secretOrOptions } : secretOrOptions;
  return createTokenVerifier(options)(token);
}
