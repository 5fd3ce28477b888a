import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * True when the request came through the GRIP proxy: it bears `Grip-Sig`,
 * a JWT the proxy signs with its key (HS256, `iss` and `exp` claims). A
 * client cannot forge one without the key, and GRIP mode does not start
 * without one (grip-options.ts): a header taken at its word would let any
 * client be held by the proxy outside the stream caps.
 */
export function isGripRequest(req: IncomingMessage, signingKey: string, now = Date.now()): boolean {
  const signature = req.headers['grip-sig'];
  if (typeof signature !== 'string' || signature === '') return false;
  const parts = signature.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, mac] = parts as [string, string, string];
  const expected = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return alg === 'HS256' && (exp === undefined || (typeof exp === 'number' && exp * 1000 > now));
  } catch {
    return false;
  }
}
