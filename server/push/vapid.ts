import { createECDH } from 'node:crypto';

/** The server's VAPID identity (RFC 8292): push services tie its subscriptions to this key. */
export interface VapidKeys {
  /** base64url of the uncompressed P-256 public point (65 bytes). */
  readonly publicKey: string;
  /** base64url of the 32-byte private scalar. */
  readonly privateKey: string;
  /** `mailto:` or `https:` address a push service may contact about this sender. */
  readonly subject: string;
}

/** A new key pair, as `cometkit-server --vapid-keys` prints it: keep the private key secret, and the pair for good (a new one orphans every subscription). */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // A scalar with leading zero bytes comes back shorter: padded to the 32 bytes VAPID keys have.
  const scalar = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]);
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: privateKey.toString('base64url') };
}

/** Checks keys given by options or environment: a clear error for each way they are wrong. */
export function checkVapidKeys(keys: VapidKeys): VapidKeys {
  const publicKey = Buffer.from(keys.publicKey, 'base64url');
  const privateKey = Buffer.from(keys.privateKey, 'base64url');
  if (publicKey.length !== 65 || publicKey[0] !== 4) throw new TypeError('cometkit server: the VAPID public key (COMET_VAPID_PUBLIC_KEY) must be a base64url P-256 point (65 bytes); make a pair with cometkit-server --vapid-keys.');
  if (privateKey.length !== 32) throw new TypeError('cometkit server: the VAPID private key (COMET_VAPID_PRIVATE_KEY) must be 32 bytes, base64url; make a pair with cometkit-server --vapid-keys.');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  if (!ecdh.getPublicKey().equals(publicKey)) throw new TypeError('cometkit server: the VAPID public and private keys are not one pair; make a pair with cometkit-server --vapid-keys.');
  if (!/^(mailto:.+@.+|https:\/\/.+)$/.test(keys.subject)) throw new TypeError('cometkit server: the VAPID subject (COMET_VAPID_SUBJECT) must be a mailto: or https: URL where push services can reach you, e.g. mailto:ops@example.com.');
  return keys;
}
