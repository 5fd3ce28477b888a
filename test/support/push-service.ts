/**
 * A stand-in push service on loopback (the browsers' real ones are not
 * reachable from the test machines). Over TLS, as every push service is,
 * it takes what the server POSTs to a subscription's endpoint, checks the
 * VAPID JWT (RFC 8292) against the key sent with it, and decrypts the body
 * (RFC 8291, aes128gcm) with the keys of the test subscription it made, as
 * the browser would.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './scale/tls-certificate.js';

export interface TestSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface ReceivedPush {
  /** The subscription's token (the endpoint's last path segment). */
  readonly token: string;
  readonly ttl: string | undefined;
  readonly urgency: string | undefined;
  readonly topic: string | undefined;
  /** The JWT verified with the `k=` key, for this service's origin, not expired, with a subject. */
  readonly vapidValid: boolean;
  /** The `k=` key: the server's VAPID public key. */
  readonly vapidKey: string | undefined;
  /** The decrypted payload, parsed. */
  readonly message: unknown;
}

export interface StandInPushService {
  readonly origin: string;
  /** PEM of its self-signed certificate, for the server's `push.ca` (or NODE_EXTRA_CA_CERTS: `certPath`). */
  readonly cert: string;
  readonly certPath: string;
  readonly received: ReceivedPush[];
  /** A new subscription on this service: its keys stay here, to decrypt what arrives for it. */
  subscription(): TestSubscription;
  /** From now on, answer this status to pushes for the subscription (410: gone). */
  answer(subscription: TestSubscription, status: number): void;
  /** Pushes received for one subscription. */
  for(subscription: TestSubscription): ReceivedPush[];
  close(): Promise<void>;
}

function decrypt(body: Buffer, uaPrivate: Buffer, uaPublic: Buffer, authSecret: Buffer): Buffer {
  // RFC 8188 header: salt(16) rs(4) idlen(1) keyid(idlen: the sender's ephemeral public key).
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const asPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(uaPrivate);
  const shared = ecdh.computeSecret(asPublic);
  // RFC 8291 §3.4: IKM from the ECDH secret and the auth secret, then the content key and nonce.
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 and zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('no last-record delimiter in the decrypted push');
  return padded.subarray(0, end);
}

/** The VAPID JWT of a push request (RFC 8292): signed by the `k=` key, for `origin`, not expired, with a subject. */
export function checkVapid(authorization: string | undefined, origin: string): { valid: boolean; key: string | undefined } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) return { valid: false, key: undefined };
  const [, jwt, key] = match as unknown as [string, string, string];
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return { valid: false, key };
  const point = Buffer.from(key, 'base64url');
  const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  const signed = verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  const alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string }).alg;
  const now = Date.now() / 1000;
  const valid = signed && alg === 'ES256' && claims.aud === origin && typeof claims.exp === 'number' && claims.exp > now && claims.exp <= now + 24 * 3600 && typeof claims.sub === 'string';
  return { valid, key };
}

export async function startPushService(): Promise<StandInPushService> {
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-push-'));
  const paths = await selfSignedCertificate(dir);
  const [cert, key] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
  const keys = new Map<string, { privateKey: Buffer; publicKey: Buffer; auth: Buffer; status: number }>();
  const received: ReceivedPush[] = [];
  let origin = '';
  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const token = (req.url ?? '').split('/').pop() ?? '';
      const subscription = keys.get(token);
      if (req.method !== 'POST' || !subscription) {
        res.writeHead(404).end();
        return;
      }
      if (req.headers['content-encoding'] !== 'aes128gcm') {
        res.writeHead(400).end('aes128gcm only');
        return;
      }
      const vapid = checkVapid(req.headers.authorization, origin);
      let message: unknown;
      try {
        message = JSON.parse(decrypt(Buffer.concat(chunks), subscription.privateKey, subscription.publicKey, subscription.auth).toString('utf8'));
      } catch (error) {
        message = { undecryptable: (error as Error).message };
      }
      const header = (name: string): string | undefined => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
      received.push({ token, ttl: header('ttl'), urgency: header('urgency'), topic: header('topic'), vapidValid: vapid.valid, vapidKey: vapid.key, message });
      res.writeHead(subscription.status, { Location: `${origin}/message/${received.length}` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenOf = (subscription: TestSubscription): string => subscription.endpoint.split('/').pop()!;
  return {
    origin,
    cert,
    certPath: paths.cert,
    received,
    subscription() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const token = randomBytes(12).toString('base64url');
      const auth = randomBytes(16);
      keys.set(token, { privateKey: ecdh.getPrivateKey(), publicKey: ecdh.getPublicKey(), auth, status: 201 });
      return { endpoint: `${origin}/push/${token}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    },
    answer(subscription, status) {
      keys.get(tokenOf(subscription))!.status = status;
    },
    for(subscription) {
      return received.filter((one) => one.token === tokenOf(subscription));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
