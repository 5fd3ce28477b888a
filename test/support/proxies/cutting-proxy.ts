/**
 * A proxy that drops connections at random moments, as flaky networks,
 * NAT timeouts and proxies with short idle limits do. Each client
 * connection lives for a time drawn uniformly from [minMs, maxMs] from its
 * first request, then is destroyed (no clean end), whatever it carries: a
 * stream in the middle of a frame, a held poll, or an idle keep-alive
 * socket between two polls.
 */
import type { Socket } from 'node:net';
import { startForwardingProxy, type ProxyServer } from './forward.js';

export interface CuttingMode {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_CUTTING: CuttingMode = { minMs: 150, maxMs: 700 };

export interface CuttingProxy extends ProxyServer {
  /** Cuts that interrupted a response in progress, for `key`: a test checks its run really went through cuts. */
  cuts(key: string): number;
}

interface Connection {
  /** Responses in progress on this socket. */
  active: number;
}

/** `random(key)` draws each connection's life for `key` (seeded: see seeded-random.ts). */
export async function startCuttingProxy(target: string, modeOf: (key: string) => CuttingMode, random: (key: string) => () => number): Promise<CuttingProxy> {
  const cuts = new Map<string, number>();
  const connections = new WeakMap<Socket, Connection>();
  const proxy = await startForwardingProxy(
    target,
    ({ res, upstream }) => {
      res.once('close', () => upstream.destroy());
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    },
    (key, req, res) => {
      const socket = req.socket;
      let connection = connections.get(socket);
      if (!connection) {
        const state: Connection = { active: 0 };
        connection = state;
        connections.set(socket, state);
        const { minMs, maxMs } = modeOf(key);
        const timer = setTimeout(() => {
          if (state.active > 0) cuts.set(key, (cuts.get(key) ?? 0) + 1);
          socket.destroy();
        }, minMs + random(key)() * (maxMs - minMs));
        socket.once('close', () => clearTimeout(timer));
      }
      const state = connection;
      state.active += 1;
      res.once('close', () => {
        state.active -= 1;
      });
    },
  );
  return { ...proxy, cuts: (key) => cuts.get(key) ?? 0 };
}
