/**
 * What one address can hold on the standalone server: sockets that send
 * nothing, headers or bodies that dribble in, connections kept after a
 * refusal, and sockets past the per-address cap. Raw sockets, since no HTTP
 * client behaves this way on purpose.
 *
 * The bounds are failure limits several times the configured timeouts
 * (Node's own check used to run every 30 s); the measured lifetimes are
 * printed for SECURITY.md.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import { trustedProxies } from '../../server/http/trusted-proxies.js';
import { createStandaloneServer, type StandaloneSocketOptions } from '../../server/standalone.js';
import { rawRequest } from '../support/raw-http.js';

const HEADERS_TIMEOUT_MS = 1500;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
/** A socket still open by then was held by something other than its timeout. */
const HELD_MS = 12_000;

interface Life {
  /** Milliseconds from connecting to the server closing the socket, or undefined when it was still open at HELD_MS. */
  readonly closedAfterMs: number | undefined;
  /** Everything the server wrote. */
  readonly received: string;
}

/** Connects, writes `first`, then `drip` every 200 ms until the server closes the socket (or HELD_MS passes). */
function socketLife(port: number, first: string, drip?: string): Promise<Life> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let dripping: ReturnType<typeof setInterval> | undefined;
    const held = setTimeout(() => finish(undefined), HELD_MS);
    const finish = (closedAfterMs: number | undefined): void => {
      clearTimeout(held);
      clearInterval(dripping);
      socket.destroy();
      resolve({ closedAfterMs, received });
    };
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => finish(performance.now() - started));
    socket.on('connect', () => {
      if (first) socket.write(first);
      if (drip) dripping = setInterval(() => socket.writable && socket.write(drip), 200);
    });
  });
}

function closedWith(what: string, life: Life, status: number): void {
  assert.notEqual(life.closedAfterMs, undefined, `${what}: still open after ${HELD_MS} ms`);
  assert.match(life.received, new RegExp(`^HTTP/1\\.1 ${status} `), `${what}: ${life.received.slice(0, 200)}`);
  console.log(`sockets: ${what}: closed after ${Math.round(life.closedAfterMs!)} ms`);
}

async function standalone(sockets: StandaloneSocketOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const comet: CometServer = createCometServer({ publishKey: 'k' });
  const server: Server = createStandaloneServer(comet, undefined, undefined, sockets);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await comet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('socket timeouts on the standalone server', () => {
  let server: Awaited<ReturnType<typeof standalone>>;
  before(async () => {
    server = await standalone({ headersTimeoutMs: HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
  });
  after(() => server.close());

  it('closes a socket that sends nothing, and one whose headers dribble in, at headersTimeout with a 408', async () => {
    const [idle, slow] = await Promise.all([
      socketLife(server.port, ''),
      socketLife(server.port, 'GET /comet/health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'),
    ]);
    closedWith('a socket that sends nothing', idle, 408);
    closedWith('headers dribbling in', slow, 408);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const life = await socketLife(server.port, 'GET /comet/health HTTP/1.1\r\nHost: x\r\n\r\n');
    closedWith('idle after an answer', life, 200);
  });

  it('closes the connection after refusing a request whose body is still arriving (Connection: close)', async () => {
    const life = await socketLife(
      server.port,
      'POST /comet/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      ' ',
    );
    closedWith('a 401 while the body dribbles in', life, 401);
    assert.match(life.received, /\r\nConnection: close\r\n/i);
  });
});

describe('open sockets per address on the standalone server', () => {
  const LIMIT = 5;

  /** Opens a socket and waits until it is connected; the server may still refuse it. */
  const open = (port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.on('error', reject);
    });

  /** Sends a health request on an open socket and resolves with the first bytes of the answer. */
  const answerOn = (socket: Socket): Promise<string> =>
    new Promise((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
      socket.once('close', () => resolve(''));
      socket.write('GET /comet/health HTTP/1.1\r\nHost: x\r\n\r\n');
    });

  it('answers a socket past maxSocketsPerAddress 429 too-many-connections and closes it; a freed slot serves again', async () => {
    const server = await standalone({ maxSocketsPerAddress: LIMIT });
    const held: Socket[] = [];
    try {
      for (let i = 0; i < LIMIT; i += 1) held.push(await open(server.port));
      // The last slot is served like any other.
      assert.match(await answerOn(held.at(-1)!), /^HTTP\/1\.1 200 /);
      const refused = await socketLife(server.port, 'GET /comet/health HTTP/1.1\r\nHost: x\r\n\r\n');
      closedWith('a socket past the cap', refused, 429);
      assert.equal((JSON.parse(refused.received.slice(refused.received.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }).error.code, 'too-many-connections');
      held.pop()!.destroy();
      let again: Awaited<ReturnType<typeof rawRequest>>;
      // The slot frees when the server sees the close: a try or two later.
      for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt += 1) {
        again = await rawRequest(server.port, 'GET /comet/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      }
      assert.equal(again?.status, 200, 'served once a socket of the address closed');
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });

  it('does not cap the sockets of a trusted proxy, which carry many clients', async () => {
    const server = await standalone({ maxSocketsPerAddress: LIMIT, trustedProxies: trustedProxies(['127.0.0.1']) });
    const held: Socket[] = [];
    try {
      for (let i = 0; i < LIMIT * 2; i += 1) held.push(await open(server.port));
      for (const socket of held) assert.match(await answerOn(socket), /^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });
});
