/**
 * A server that is down when the page loads and up a moment later: a
 * loopback port where nothing listens (connections are refused, as by a
 * stopped server) until `afterMs`, then a TCP forwarder to the lab server.
 * Each door closes by itself after `lifetimeMs`, so no test leaves one open.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LateDoor {
  /** `http://127.0.0.1:PORT`, refusing connections until the door opens. */
  readonly url: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function openLateDoor(targetPort: number, afterMs: number, lifetimeMs = 60_000): Promise<LateDoor> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let closed = false;
  const opening = setTimeout(() => {
    if (closed) return;
    server = createServer((socket) => {
      const upstream = connect(targetPort, '127.0.0.1');
      sockets.add(socket).add(upstream);
      const end = (): void => {
        socket.destroy();
        upstream.destroy();
        sockets.delete(socket);
        sockets.delete(upstream);
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      socket.pipe(upstream).pipe(socket);
    });
    server.listen(port, '127.0.0.1');
  }, afterMs);
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearTimeout(opening);
    clearTimeout(expiry);
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  };
  const expiry = setTimeout(() => void close(), lifetimeMs);
  return { url: `http://127.0.0.1:${port}`, close };
}
