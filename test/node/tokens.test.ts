import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK } from 'jose';
import { signToken, verifyToken, type TokenCheck } from '../../server/auth/token.js';
import { createCometServer } from '../../server/comet-server.js';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';

const SECRET = 'token-test-secret';
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (text: string): string => Buffer.from(text).toString('base64url');

function refused(check: TokenCheck, code: string, pattern?: RegExp): void {
  assert.equal(check.ok, false, 'refused');
  if (check.ok) return;
  assert.equal(check.code, code);
  if (pattern) assert.match(check.message, pattern);
}

/** An HS256 token over any header and payload text, signed correctly. */
function rawHs256(header: string, payload: string, secret = SECRET): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

describe('HS256 tokens, strictly', () => {
  it('signToken makes a token verifyToken accepts, with the claims cometkit reads', async () => {
    const token = await signToken({ sub: 'ada', name: 'Ada', channels: ['news', 'user:ada:*'], exp: now() + 60 }, SECRET);
    const check = await verifyToken(token, SECRET);
    assert.ok(check.ok);
    assert.equal(check.claims.sub, 'ada');
    assert.deepEqual(check.claims.channels, ['news', 'user:ada:*']);
    assert.equal(check.claims.name, 'Ada');
  });

  it('refuses a valid signature with characters appended', async () => {
    const token = await signToken({ sub: 'ada' }, SECRET);
    for (const extra of ['A', 'AA', '=', '==', '~', ' ']) refused(await verifyToken(token + extra, SECRET), 'token-invalid');
  });

  it('refuses a re-spelled base64url signature that decodes to the same bytes', async () => {
    const token = await signToken({ sub: 'ada' }, SECRET);
    const [head, body, signature] = token.split('.') as [string, string, string];
    // 32 bytes are 43 characters: the last one carries 2 unused bits. Flipping them keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const respelled = signature.slice(0, -1) + alphabet[last ^ 1];
    assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(signature, 'base64url'), 'same bytes');
    refused(await verifyToken(`${head}.${body}.${respelled}`, SECRET), 'token-invalid', /canonical/);
    // Padding spelled out in the payload: same bytes, another string.
    refused(await verifyToken(`${head}.${body}==.${signature}`, SECRET), 'token-invalid');
  });

  it('refuses a token signed with another secret, or tampered with', async () => {
    refused(await verifyToken(await signToken({ sub: 'ada' }, 'another-secret'), SECRET), 'token-invalid', /signature/);
    const [head, , signature] = (await signToken({ sub: 'ada', channels: ['news'] }, SECRET)).split('.');
    refused(await verifyToken(`${head}.${b64('{"sub":"ada","channels":["*"]}')}.${signature}`, SECRET), 'token-invalid');
  });

  it('refuses alg none and algorithms other than HS256, whatever the header says', async () => {
    refused(await verifyToken(`${b64('{"alg":"none"}')}.${b64('{"sub":"ada"}')}.`, SECRET), 'token-invalid');
    refused(await verifyToken(rawHs256('{"alg":"HS512","typ":"JWT"}', '{"sub":"ada"}'), SECRET), 'token-invalid', /HS256/);
  });

  it('refuses what is not a compact JWT', async () => {
    for (const text of ['', 'a', 'a.b', 'a.b.c.d', '...', 'é.é.é', 'x'.repeat(9000)]) refused(await verifyToken(text, SECRET), 'token-invalid');
  });

  it('refuses a payload that is not JSON, or a header that is not', async () => {
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', 'not json'), SECRET), 'token-invalid');
    refused(await verifyToken(rawHs256('not json', '{"sub":"ada"}'), SECRET), 'token-invalid');
  });

  it('refuses a token without sub, with an empty sub, or with channels that are not strings', async () => {
    refused(await verifyToken(await signToken({} as never, SECRET), SECRET), 'token-invalid', /sub/);
    refused(await verifyToken(await signToken({ sub: '' }, SECRET), SECRET), 'token-invalid', /sub/);
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"a","channels":"*"}'), SECRET), 'token-invalid', /channels/);
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"a","channels":[1]}'), SECRET), 'token-invalid', /channels/);
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"a","name":{}}'), SECRET), 'token-invalid', /name/);
  });

  it('expires a token after exp, with a few seconds of leeway for clock difference', async () => {
    refused(await verifyToken(await signToken({ sub: 'ada', exp: now() - 60 }, SECRET), SECRET), 'token-expired');
    assert.ok((await verifyToken(await signToken({ sub: 'ada', exp: now() - 2 }, SECRET), SECRET)).ok, 'within the 5 s leeway');
  });

  it('refuses a non-numeric exp as invalid, not as expired', async () => {
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"ada","exp":"tomorrow"}'), SECRET), 'token-invalid', /exp/);
  });

  it('refuses a token before its nbf, with the same leeway', async () => {
    refused(await verifyToken(await signToken({ sub: 'ada', nbf: now() + 60 }, SECRET), SECRET), 'token-invalid', /not valid yet/);
    assert.ok((await verifyToken(await signToken({ sub: 'ada', nbf: now() + 2 }, SECRET), SECRET)).ok);
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"ada","nbf":"soon"}'), SECRET), 'token-invalid', /nbf/);
  });

  it('checks aud and iss when the server names them', async () => {
    const options = { secret: SECRET, audience: 'push.example', issuer: 'https://id.example' };
    assert.ok((await verifyToken(await signToken({ sub: 'a', aud: 'push.example', iss: 'https://id.example' }, SECRET), options)).ok);
    refused(await verifyToken(await signToken({ sub: 'a', aud: 'other', iss: 'https://id.example' }, SECRET), options), 'token-invalid', /aud/);
    refused(await verifyToken(await signToken({ sub: 'a', aud: 'push.example', iss: 'https://evil.example' }, SECRET), options), 'token-invalid', /iss/);
    refused(await verifyToken(await signToken({ sub: 'a' }, SECRET), options), 'token-invalid', /aud|iss/);
  });
});

/** Signs with jose, as an identity provider would. */
async function providerToken(key: KeyObject, alg: string, claims: Record<string, unknown>, kid?: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).sign(key);
}

describe('asymmetric tokens from an identity provider', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');

  it('verifies RS256, ES256 and EdDSA tokens with a PEM public key', async () => {
    for (const [pair, alg] of [[rsa, 'RS256'], [ec, 'ES256'], [ed, 'EdDSA']] as const) {
      const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const check = await verifyToken(await providerToken(pair.privateKey, alg, { sub: `user-${alg}`, channels: ['news'], exp: now() + 60 }), { publicKey: pem });
      assert.ok(check.ok, alg);
      assert.equal(check.claims.sub, `user-${alg}`);
    }
  });

  it('refuses a token signed by another key, and an HS256 token made with the public key as secret', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    refused(await verifyToken(await providerToken(other.privateKey, 'RS256', { sub: 'a' }), { publicKey: pem }), 'token-invalid');
    // The classic key-confusion attack: HS256 keyed with the public key text.
    refused(await verifyToken(rawHs256('{"alg":"HS256"}', '{"sub":"a"}', pem), { publicKey: pem }), 'token-invalid');
  });

  describe('with a JWKS URL', () => {
    let jwks: Server;
    let url = '';
    let fetches = 0;
    before(async () => {
      const keys = [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      ];
      jwks = createServer((_req, res) => {
        fetches += 1;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    after(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

    it('verifies tokens whose kid names a key of the set, fetching the set once', async () => {
      const server = await startServer({ tokenJwksUrl: url, tokenAudience: 'push' });
      try {
        const channel = uniqueChannel('priv');
        for (const [key, alg, kid] of [[rsa.privateKey, 'RS256', 'rsa-1'], [ed.privateKey, 'EdDSA', 'ed-1']] as const) {
          const token = await providerToken(key, alg, { sub: 'ada', aud: 'push', channels: [channel] }, kid);
          const res = await http(`${server.base}/history?ch=${channel}`, { headers: { Authorization: `Bearer ${token}` } });
          assert.equal(res.status, 200, `${alg}: ${res.text}`);
        }
        assert.equal(fetches, 1, 'the key set is cached');
        const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const bad = await providerToken(foreign.privateKey, 'RS256', { sub: 'ada', aud: 'push', channels: [channel] }, 'rsa-1');
        const res = await http(`${server.base}/history?ch=${channel}`, { headers: { Authorization: `Bearer ${bad}` } });
        assert.equal(res.status, 401);
        assert.equal(res.json<ErrorBody>().error.code, 'token-invalid');
      } finally {
        await server.close();
      }
    });

    it('answers 503 token-keys-unavailable with Retry-After when the JWKS cannot be fetched', async () => {
      const dead = createServer();
      await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
      const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/jwks`;
      await new Promise<void>((resolve) => dead.close(() => resolve()));
      const server = await startServer({ tokenJwksUrl: deadUrl });
      try {
        const token = await providerToken(rsa.privateKey, 'RS256', { sub: 'ada', channels: ['x'] }, 'rsa-1');
        const res = await http(`${server.base}/history?ch=x`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(res.status, 503);
        assert.equal(res.json<ErrorBody>().error.code, 'token-keys-unavailable');
        assert.ok(Number(res.headers['retry-after']) > 0);
      } finally {
        await server.close();
      }
    });
  });
});

describe('tokens over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ tokenSecret: SECRET, publicChannels: ['pub.*'] });
  });
  after(() => server.close());

  it('answers 401 token-invalid with the reason for an appended-to or not-yet-valid token', async () => {
    const token = await signToken({ sub: 'ada', channels: ['*'] }, SECRET);
    for (const bad of [`${token}A`, await signToken({ sub: 'ada', channels: ['*'], nbf: now() + 600 }, SECRET)]) {
      const res = await http(`${server.base}/history?ch=pub.a&token=${bad}`);
      assert.equal(res.status, 401);
      assert.equal(res.json<ErrorBody>().error.code, 'token-invalid');
    }
  });

  it('refuses a server configured with two token sources at once', () => {
    // The verifier is built with the server: a bad configuration throws before anything listens.
    assert.throws(() => createCometServer({ tokenSecret: SECRET, tokenJwksUrl: 'https://id.example/jwks' }), /exactly one/);
  });
});
