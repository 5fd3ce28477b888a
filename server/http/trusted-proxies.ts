import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Addresses and CIDR ranges of the reverse proxies in front of the server. */
export interface TrustedProxies {
  /** True for an address of a trusted proxy (IPv4-mapped IPv6 addresses count as their IPv4 address). */
  has(address: string | undefined): boolean;
  /** The entries as given, for messages. */
  readonly entries: readonly string[];
}

/**
 * Parses `127.0.0.1, 10.0.0.0/8, ::1, fd00::/8`. An entry that is neither an
 * address nor a CIDR range throws, naming it: a typo here would trust
 * nobody, or everybody, in silence.
 */
export function trustedProxies(entries: readonly string[], what = 'trusted proxies'): TrustedProxies {
  const list = new BlockList();
  const kept: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family || extra !== undefined || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) {
      throw new TypeError(`cometkit server: ${what}: "${entry.slice(0, 60)}" is not an IP address or CIDR range (e.g. 127.0.0.1,10.0.0.0/8,::1).`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    kept.push(entry);
  }
  return {
    entries: kept,
    has(address) {
      if (!address) return false;
      const plain = unmapped(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * The client's address behind trusted proxies: the socket's peer when it is
 * not one of them; otherwise X-Forwarded-For is walked from the right (each
 * proxy appends the address it saw) past every trusted hop, and the first
 * address that is not trusted is the client. Entries left of it were written
 * by the client and prove nothing.
 */
export function clientAddressBehind(proxies: TrustedProxies): (req: IncomingMessage) => string | undefined {
  return (req) => {
    const peer = req.socket.remoteAddress;
    if (!proxies.has(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : header ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      client = unmapped(hops[i]!);
      if (!proxies.has(client)) return client;
    }
    return client;
  };
}

/** `::ffff:10.1.2.3` (an IPv4 client on a dual-stack socket) as `10.1.2.3`. */
function unmapped(address: string): string {
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  return v4 ?? address;
}
