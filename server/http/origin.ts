import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * An origin re-serialized from its parsed parts (`scheme://host[:port]`), or
 * undefined when the text is anything else. What reaches a header or a
 * script is this string, never the text given: WHATWG URL parsing lets
 * `;`, `,`, `'` and more through in a host, and each of those would change
 * the meaning of a CSP or an Access-Control header.
 */
export function canonicalOrigin(text: string): string | undefined {
  if (text.length > 300) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  const host = url.hostname;
  const ipv6 = host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6;
  if (!ipv6 && !HOSTNAME.test(host)) return undefined;
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`;
}

/**
 * The origins a request reached this server on, from what the socket knows
 * (TLS or not, local address and port): a page on one of them is this
 * server's own. The Host header is not used: a DNS-rebinding page sends its
 * own name there and is same-origin with it.
 */
export function socketOrigins(req: IncomingMessage): string[] {
  const socket = req.socket as IncomingMessage['socket'] & { encrypted?: boolean };
  const address = socket.localAddress?.replace(/^::ffff:(?=\d+\.)/, '');
  const port = socket.localPort;
  if (!address || !port) return [];
  const scheme = socket.encrypted ? 'https' : 'http';
  const portPart = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80) ? '' : `:${port}`;
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const origins = [`${scheme}://${host}${portPart}`];
  // `localhost` always names this machine, so it cannot be rebound to an attacker's page.
  if (address === '127.0.0.1' || address === '::1') origins.push(`${scheme}://localhost${portPart}`);
  return origins;
}

/** Same-origin as this server: a configured public origin, or the scheme and address the socket reached. */
export function isOwnOrigin(req: IncomingMessage, origin: string, publicOrigins: readonly string[]): boolean {
  return publicOrigins.includes(origin) || socketOrigins(req).includes(origin);
}
