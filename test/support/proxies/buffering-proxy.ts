/**
 * A proxy that buffers response bodies the way some corporate proxies and
 * antivirus filters do: bytes are held until `bytes` of them have gathered
 * or the response ends, then passed on in one piece. Headers pass at once.
 * A complete response (a poll's answer) therefore gets through whole; a
 * stream's small frames wait, possibly forever.
 *
 * Each key has a mode, `buffer` (the default) or `pass`, checked on every
 * chunk: a test can turn the buffering off, and back on, while its streams
 * are open.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { startForwardingProxy, type ProxyServer } from './forward.js';

export interface BufferingMode {
  readonly mode: 'buffer' | 'pass';
  /** Bytes gathered before a flush. */
  readonly bytes: number;
}

export const DEFAULT_BUFFERING: BufferingMode = { mode: 'buffer', bytes: 16 * 1024 };

/** Hop-by-hop and length headers are the proxy's own business. */
function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['connection', 'transfer-encoding', 'keep-alive', 'content-length'].includes(name)) continue;
    result[name] = value;
  }
  return result;
}

export function startBufferingProxy(target: string, modeOf: (key: string) => BufferingMode): Promise<ProxyServer> {
  return startForwardingProxy(target, ({ key, res, upstream }) => {
    res.writeHead(upstream.statusCode ?? 502, forwardable(upstream.headers));
    res.flushHeaders();
    let held: Buffer[] = [];
    let heldBytes = 0;
    const flush = (): void => {
      if (heldBytes === 0) return;
      res.write(Buffer.concat(held));
      held = [];
      heldBytes = 0;
    };
    upstream.on('data', (chunk: Buffer) => {
      const { mode, bytes } = modeOf(key);
      held.push(chunk);
      heldBytes += chunk.length;
      if (mode === 'pass' || heldBytes >= bytes) flush();
    });
    upstream.on('end', () => {
      flush();
      res.end();
    });
    upstream.on('error', () => res.destroy());
  });
}
