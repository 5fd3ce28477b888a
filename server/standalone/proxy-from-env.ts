import type { CometServerOptions } from '../options.js';
import { clientAddressBehind, trustedProxies, type TrustedProxies } from '../http/trusted-proxies.js';

/**
 * Behind a reverse proxy every connection comes from the proxy, so the
 * per-address limits would count all clients as one.
 * `COMET_TRUST_PROXY=127.0.0.1,10.0.0.0/8,::1` lists the proxies' addresses:
 * X-Forwarded-For is read only on a connection from one of them, walking
 * from the right past trusted hops (see clientAddressBehind). A client that
 * reaches the port directly is counted by its own address, whatever it
 * writes in the header.
 *
 * The old `COMET_TRUST_PROXY=1` trusted any peer, so a direct client could
 * spoof its address; it is refused with a message naming the new format
 * rather than guessed at.
 */
export function trustedProxiesFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedProxies | undefined {
  const text = env['COMET_TRUST_PROXY']?.trim();
  if (!text || text === '0' || text === 'false') return undefined;
  if (/^(1|true|yes)$/i.test(text)) {
    throw new TypeError(
      `cometkit server: COMET_TRUST_PROXY=${text} no longer trusts every peer. List your proxies' addresses or CIDR ranges instead, e.g. COMET_TRUST_PROXY=127.0.0.1,::1 for nginx on this host, or 10.0.0.0/8.`,
    );
  }
  return trustedProxies(text.split(','), 'COMET_TRUST_PROXY');
}

export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'clientAddress'> {
  const proxies = trustedProxiesFromEnv(env);
  return proxies ? { clientAddress: clientAddressBehind(proxies) } : {};
}
