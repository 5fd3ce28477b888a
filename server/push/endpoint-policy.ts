import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { PUSH_ENDPOINT_MAX } from '../../src/protocol/push-protocol.js';
import { HttpStatusError } from '../http/http-error.js';

/**
 * The push services of the browsers that ship Web Push, by host name
 * suffix: Chrome/Edge (FCM), Firefox (autopush), Safari (Apple) and
 * Windows (WNS). A subscription names the URL the server will POST to, so
 * any other host is refused unless the operator lists it.
 */
export const KNOWN_PUSH_SERVICES: readonly string[] = ['fcm.googleapis.com', 'android.googleapis.com', 'push.services.mozilla.com', 'push.apple.com', 'notify.windows.com'];

/** Loopback, private, link-local, shared, multicast and reserved ranges: nothing a public push service lives on. */
const privateRanges = (() => {
  const list = new BlockList();
  for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
    list.addSubnet(net, bits, 'ipv4');
  }
  for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/** Is `address` (an IP) one no public push service has? IPv4-mapped IPv6 is judged as the IPv4 it carries. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export interface EndpointPolicyOptions {
  /**
   * More push services: origins (`https://push.internal:8443`), trusted
   * whatever address they have (loopback and private ones included), or
   * host name suffixes (`push.example.com`), checked like the known ones.
   */
  readonly allowed?: readonly string[];
  /** Add the known services to `allowed` (default true). */
  readonly known?: boolean;
}

/**
 * Which push endpoints the server POSTs to: https on a known service's
 * host (whose addresses must be public, also at delivery time, against
 * DNS rebinding), or on an origin the operator listed.
 */
export class EndpointPolicy {
  readonly #origins = new Set<string>();
  readonly #trustedHosts = new Set<string>();
  readonly #suffixes: string[];

  constructor(options: EndpointPolicyOptions = {}) {
    this.#suffixes = options.known === false ? [] : [...KNOWN_PUSH_SERVICES];
    for (const entry of options.allowed ?? []) {
      if (/^https?:\/\//i.test(entry)) {
        let url: URL;
        try {
          url = new URL(entry);
        } catch {
          throw new TypeError(`cometkit server: push allowed endpoint "${entry.slice(0, 100)}" is not an origin (https://host[:port]) nor a host name.`);
        }
        if (url.protocol !== 'https:') throw new TypeError(`cometkit server: push allowed endpoint "${entry.slice(0, 100)}" must be https: push messages are sent over TLS only.`);
        this.#origins.add(url.origin);
        this.#trustedHosts.add(url.hostname.replace(/^\[|\]$/g, ''));
      } else if (/^\.?[a-z0-9.-]+$/i.test(entry)) {
        this.#suffixes.push(entry.replace(/^\./, '').toLowerCase());
      } else {
        throw new TypeError(`cometkit server: push allowed endpoint "${entry.slice(0, 100)}" is not an origin (https://host[:port]) nor a host name.`);
      }
    }
  }

  /** Checks a subscription's endpoint: `400 push-endpoint-refused` with what to do. */
  check(endpoint: unknown): URL {
    if (typeof endpoint !== 'string' || endpoint.length > PUSH_ENDPOINT_MAX) throw refused(`"subscription.endpoint" must be a URL of at most ${PUSH_ENDPOINT_MAX} characters.`);
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw refused('"subscription.endpoint" is not a URL.');
    }
    if (url.username || url.password) throw refused('A push endpoint carries no user name or password.');
    if (this.#origins.has(url.origin)) return url;
    if (url.protocol !== 'https:') throw refused('A push endpoint must be https.');
    const host = url.hostname.toLowerCase();
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) throw refused('A push endpoint on an IP address is refused unless the server lists its origin (COMET_PUSH_ALLOWED_ENDPOINTS).');
    if (!this.#suffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
      throw refused(`${host.slice(0, 100)} is not a known push service; an operator adds private ones with COMET_PUSH_ALLOWED_ENDPOINTS.`);
    }
    return url;
  }

  /**
   * A `lookup` for the delivery agent: the addresses a host name resolves
   * to when the message is sent, refused when one is private, unless the
   * operator listed the host's origin.
   */
  readonly lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      if (!this.#trustedHosts.has(hostname)) {
        const bad = addresses.find((one) => isPrivateAddress(one.address));
        if (bad) {
          const refusal = Object.assign(new Error(`cometkit server: push endpoint host ${hostname} resolves to ${bad.address}, a private address; list its origin in COMET_PUSH_ALLOWED_ENDPOINTS if it is yours.`), { code: 'push-endpoint-private' });
          return callback(refusal);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

  /** An endpoint on an IP address reaches no lookup: only a listed origin may be one. */
  trusted(url: URL): boolean {
    return this.#origins.has(url.origin);
  }
}

function refused(message: string): HttpStatusError {
  return new HttpStatusError(400, 'push-endpoint-refused', message);
}
