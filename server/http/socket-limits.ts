import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { TrustedProxies } from './trusted-proxies.js';

export interface SocketLimitOptions {
  /** Open sockets one address may hold; a new one past it is answered `429 too-many-connections` and closed. */
  readonly maxSocketsPerAddress: number;
  /** Proxies carry many clients on their sockets: their addresses are not capped. */
  readonly trustedProxies?: TrustedProxies;
}

/**
 * Caps the sockets one address holds open on `server`, whatever they do (idle,
 * slow headers, streams). Without it one address can take every file
 * descriptor the process has. Counted from the socket's own address, so a
 * client cannot spread itself over forged X-Forwarded-For entries.
 */
export function limitSocketsPerAddress(server: Server, options: SocketLimitOptions): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || options.trustedProxies?.has(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= options.maxSocketsPerAddress) {
      refuse(socket, options.maxSocketsPerAddress);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

function refuse(socket: Socket, limit: number): void {
  const body = JSON.stringify({
    error: { code: 'too-many-connections', message: `This address already holds ${limit} open connections to the server; close some, or retry later.` },
  });
  // Answered before any request is read: the client reads it when it sends one, and the
  // connection ends either way. A socket that does not take the bytes is dropped.
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nRetry-After: 10\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.setTimeout(1000, () => socket.destroy());
}
