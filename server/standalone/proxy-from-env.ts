import type { IncomingMessage } from 'node:http';
import type { CometServerOptions } from '../options.js';

/**
 * Behind a reverse proxy every connection comes from the proxy, so the
 * per-address limits would count all clients as one. With
 * `COMET_TRUST_PROXY=1` the client's address is the last entry of
 * X-Forwarded-For: the one the proxy itself appended (nginx's
 * `$proxy_add_x_forwarded_for`). Entries before it come from the client and
 * prove nothing. Only set it when every request passes through the proxy.
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'clientAddress'> {
  const trust = env['COMET_TRUST_PROXY'];
  if (!trust || trust === '0' || trust === 'false') return {};
  return { clientAddress: forwardedClient };
}

export function forwardedClient(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.at(-1) : header;
  const last = value?.split(',').at(-1)?.trim();
  return last || req.socket.remoteAddress;
}
