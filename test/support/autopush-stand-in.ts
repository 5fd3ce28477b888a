/**
 * A stand-in for Mozilla's push service (autopush) on loopback, for a real
 * Firefox: the browser connects to it over WebSocket (`dom.push.serverURL`,
 * the protocol of Firefox's PushServiceWebSocket: hello, register, and
 * notifications it acknowledges), so `pushManager.subscribe()` makes a real
 * subscription with the browser's own keys. What the server POSTs to an
 * endpoint (over TLS, as to every push service) is checked for its VAPID
 * JWT, recorded with its headers, and relayed to the browser as it is:
 * only the browser can decrypt it. Chromium's push service is Google's
 * (GCM/FCM over its own protocol): it has no such setting.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVapid } from './push-service.js';
import { selfSignedCertificate } from './scale/tls-certificate.js';

export interface RelayedPush {
  readonly channelID: string;
  readonly ttl: string | undefined;
  readonly topic: string | undefined;
  readonly urgency: string | undefined;
  readonly vapidValid: boolean;
  readonly vapidKey: string | undefined;
  /** The browser acknowledged it (it decrypted it and ran the service worker's push event). */
  acked: boolean;
}

export interface AutopushStandIn {
  /** `ws://127.0.0.1:PORT/`, for Firefox's `dom.push.serverURL`. */
  readonly serverURL: string;
  /** Where endpoints live (`https://127.0.0.1:PORT`), for the server's allow-list. */
  readonly endpointOrigin: string;
  /** PEM of the endpoints' self-signed certificate, for the server's `push.ca`. */
  readonly cert: string;
  /** What the browser registered: channel id → the VAPID key it gave. */
  readonly registered: Map<string, string>;
  readonly relayed: RelayedPush[];
  close(): Promise<void>;
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One text frame, unmasked (RFC 6455 §5.2: a server never masks). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x81, length]) : length < 65_536 ? Buffer.from([0x81, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x81, 127]), Buffer.from(new BigUint64Array([BigInt(length)]).buffer).reverse()]);
  return Buffer.concat([header, payload]);
}

/** Reads the client's masked frames as they come; calls `onText` per text message. */
function readFrames(socket: Socket, onText: (text: string) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const opcode = buffered[0]! & 0x0f;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i += 1) payload[i]! ^= mask[i % 4]!;
      buffered = buffered.subarray(offset + 4 + length);
      if (opcode === 0x1) onText(payload.toString('utf8'));
      else if (opcode === 0x9) socket.write(Buffer.concat([Buffer.from([0x8a, payload.length]), payload]));
      else if (opcode === 0x8) socket.end();
    }
  });
}

export async function startAutopushStandIn(): Promise<AutopushStandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-autopush-'));
  const paths = await selfSignedCertificate(dir);
  const [cert, key] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
  const registered = new Map<string, string>();
  const relayed: RelayedPush[] = [];
  const sockets = new Set<Socket>();
  let browser: Socket | undefined;
  let endpointOrigin = '';

  const send = (message: unknown): void => void browser?.write(textFrame(JSON.stringify(message)));

  const endpoints: HttpsServer = createHttpsServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const channelID = (req.url ?? '').split('/').pop() ?? '';
      if (req.method !== 'POST' || !registered.has(channelID) || !browser) {
        res.writeHead(404).end();
        return;
      }
      const header = (name: string): string | undefined => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
      const vapid = checkVapid(req.headers.authorization, endpointOrigin);
      relayed.push({ channelID, ttl: header('ttl'), topic: header('topic'), urgency: header('urgency'), vapidValid: vapid.valid, vapidKey: vapid.key, acked: false });
      send({ messageType: 'notification', channelID, version: `${relayed.length}-${randomUUID()}`, data: Buffer.concat(chunks).toString('base64url'), headers: { encoding: header('content-encoding') ?? '' } });
      res.writeHead(201).end();
    });
  });
  const websocket: HttpServer = createHttpServer((_req, res) => res.writeHead(426).end());
  websocket.on('upgrade', (req, socket: Socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key'] ?? ''}${WEBSOCKET_GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    browser = socket;
    readFrames(socket, (text) => {
      const message = JSON.parse(text) as { messageType?: string; channelID?: string; key?: string; updates?: Array<{ version: string }> };
      if (message.messageType === 'hello') send({ messageType: 'hello', uaid: randomUUID().replace(/-/g, ''), status: 200, use_webpush: true });
      else if (message.messageType === 'register' && message.channelID) {
        registered.set(message.channelID, message.key ?? '');
        send({ messageType: 'register', channelID: message.channelID, status: 200, pushEndpoint: `${endpointOrigin}/wpush/${message.channelID}` });
      } else if (message.messageType === 'unregister' && message.channelID) {
        registered.delete(message.channelID);
        send({ messageType: 'unregister', channelID: message.channelID, status: 200 });
      } else if (message.messageType === 'ack') {
        for (const update of message.updates ?? []) {
          const index = Number(update.version.split('-')[0]) - 1;
          if (relayed[index]) relayed[index].acked = true;
        }
      } else if (message.messageType === undefined || message.messageType === 'ping') send({});
    });
  });
  await Promise.all([
    new Promise<void>((resolve) => endpoints.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => websocket.listen(0, '127.0.0.1', resolve)),
  ]);
  endpointOrigin = `https://127.0.0.1:${(endpoints.address() as AddressInfo).port}`;
  return {
    serverURL: `ws://127.0.0.1:${(websocket.address() as AddressInfo).port}/`,
    endpointOrigin,
    cert,
    registered,
    relayed,
    async close() {
      for (const socket of sockets) socket.destroy();
      endpoints.closeAllConnections();
      await Promise.all([new Promise((resolve) => endpoints.close(resolve)), new Promise((resolve) => websocket.close(resolve))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
