/**
 * The push server serves cometkit's browser files under `{basePath}/cometkit/`,
 * as the README's script tag expects. Needs the build (`npm test` builds
 * before the Node tests).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { chooseEncoding } from '../../server/http/accept-encoding.js';
import { staticFiles } from '../../server/demo/static-files.js';
import { http } from '../support/http-client.js';
import { startServer, type TestServer } from '../support/node-server.js';

const manifestFile = new URL('../../dist/browser-files.json', import.meta.url);

interface Manifest {
  files: Record<string, { hashed: string; integrity: string }>;
  autoload: string[];
}

describe('browser files from the push server', () => {
  let server: TestServer;
  let manifest: Manifest;
  before(async () => {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    // An allowed-origins list that excludes the page: the files are public whatever it says.
    server = await startServer({ allowedOrigins: ['https://only.example'] });
  });
  after(() => server.close());

  it('serves the autoloader under its plain name, revalidated, with CORS for any page', async () => {
    const res = await http(`${server.base}/cometkit/cometkit-autoload.js`, { headers: { Origin: 'https://some-site.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/javascript/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.text, readFileSync(new URL('../../dist/cometkit-autoload.js', import.meta.url), 'utf8'));
    const again = await http(`${server.base}/cometkit/cometkit-autoload.js`, { headers: { 'If-None-Match': res.headers.etag ?? '' } });
    assert.equal(again.status, 304);
    assert.equal(again.headers['x-content-type-options'], 'nosniff');
  });

  it('serves each entry file under its content-hashed name as immutable, matching its integrity hash', async () => {
    for (const [name, { hashed, integrity }] of Object.entries(manifest.files)) {
      const res = await http(`${server.base}/cometkit/${hashed}`);
      assert.equal(res.status, 200, hashed);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', hashed);
      const body = readFileSync(new URL(`../../dist/${name}`, import.meta.url));
      assert.equal(res.text, body.toString('utf8'), hashed);
      assert.equal(`sha384-${createHash('sha384').update(body).digest('base64')}`, integrity, `${name}'s integrity`);
    }
  });

  it('serves every autoloaded module as immutable, with CORS', async () => {
    assert.ok(manifest.autoload.length > 7, 'the SDK and seven elements at least');
    for (const name of manifest.autoload) {
      const res = await http(`${server.base}/cometkit/autoload/${name}`, { headers: { Origin: 'https://some-site.example' } });
      assert.equal(res.status, 200, name);
      assert.equal(res.headers['access-control-allow-origin'], '*', name);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', name);
    }
  });

  it('the autoloader it serves carries the integrity hash of every module it serves, as served', async () => {
    const loader = (await http(`${server.base}/cometkit/cometkit-autoload.js`)).text;
    // The table as the build writes it into the loader (rollup.config.mjs, autoloadManifest).
    const [, build] = /autoload\/([\w-]+)\//.exec(loader) ?? [];
    const [tags] = /\["comet-connection"[^\]]*\]/.exec(loader) ?? [];
    const [files] = /\[\["[A-Za-z0-9+/]{43}".*?\]\]/.exec(loader) ?? [];
    assert.ok(build && tags && files, 'the loader holds its table of modules');
    const rows = JSON.parse(files) as [string, ...number[]][];
    const tagList = JSON.parse(tags) as string[];
    assert.equal(manifest.autoload.length, rows.length, 'one row per module served');
    for (const name of manifest.autoload) {
      const res = await http(`${server.base}/cometkit/autoload/${name}`);
      // A module's row: an element's by its tag, the others by the number they are named (`sha256-` and the `=` are added as it loads).
      const [, folder, stem = ''] = /^([\w-]+)\/([\w-]+)\.js$/.exec(name) ?? [];
      assert.equal(folder, build, `${name} is in the folder of the loader's build`);
      const row = tagList.includes(stem) ? tagList.indexOf(stem) + 1 : Number(stem);
      const integrity = createHash('sha256').update(res.text).digest('base64');
      assert.equal(rows[row]?.[0], integrity.slice(0, -1), `the loader holds ${name} with sha256-${integrity}`);
    }
  });

  it('answers anything else with a JSON error, never a file outside the list', async () => {
    for (const path of ['nope.js', '../package.json', 'autoload/../../package.json', '%2e%2e/package.json', 'server/index.js', 'autoload/']) {
      const res = await http(`${server.base}/cometkit/${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((JSON.parse(res.text) as { error: { code: string } }).error.code, 'not-found', path);
    }
    const post = await http(`${server.base}/cometkit/cometkit-autoload.js`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('can be turned off', async () => {
    const bare = await startServer({ browserFiles: false });
    try {
      assert.equal((await http(`${bare.base}/cometkit/cometkit-autoload.js`)).status, 404);
    } finally {
      await bare.close();
    }
  });
});

/** `bytes` compressed as scripts/browser-files.mjs compresses them: brotli quality 11, gzip level 9. */
function best(coding: 'br' | 'gzip', bytes: Buffer): number {
  if (coding === 'gzip') return gzipSync(bytes, { level: 9 }).length;
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
}

/** A GET whose body stays bytes: a compressed answer is not text. */
function raw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const CHROMIUM_ACCEPT = 'gzip, deflate, br, zstd';

describe('Accept-Encoding', () => {
  it('prefers br, then gzip, then the file itself, by q-value', () => {
    const both = ['br', 'gzip'] as const;
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'identity'],
      ['', 'identity'],
      [CHROMIUM_ACCEPT, 'br'],
      ['gzip, deflate', 'gzip'],
      ['x-gzip', 'gzip'],
      ['br;q=0.5, gzip', 'gzip'],
      ['BR;Q=1, gzip;q=0.9', 'br'],
      ['br;q=0, gzip;q=0', 'identity'],
      ['*', 'br'],
      ['*;q=0.5, br;q=0', 'gzip'],
      ['deflate', 'identity'],
      ['identity;q=0, br;q=0.1', 'br'],
      ['br;q=abc, gzip;q=0.4', 'br'],
    ];
    for (const [header, expected] of cases) assert.equal(chooseEncoding(header, both), expected, String(header));
    assert.equal(chooseEncoding(CHROMIUM_ACCEPT, ['gzip']), 'gzip', 'only what is stored');
    assert.equal(chooseEncoding(CHROMIUM_ACCEPT, []), 'identity');
  });
});

describe('browser files compressed on the wire', () => {
  let server: TestServer;
  let manifest: Manifest;
  before(async () => {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    server = await startServer({});
  });
  after(() => server.close());

  it('sends every file in the best encoding the browser accepts, with Vary, its own length and ETag, and the integrity of the uncompressed bytes', async () => {
    const names = [...Object.keys(manifest.files), ...Object.values(manifest.files).map((file) => file.hashed), ...manifest.autoload.map((name) => `autoload/${name}`)];
    for (const name of names) {
      const distName = Object.entries(manifest.files).find(([, file]) => file.hashed === name)?.[0] ?? name;
      const original = readFileSync(new URL(`../../dist/${distName}`, import.meta.url));
      const etags = new Set<string>();
      for (const [accept, coding, decode] of [
        [CHROMIUM_ACCEPT, 'br', brotliDecompressSync],
        ['gzip', 'gzip', gunzipSync],
        ['', undefined, (bytes: Buffer) => bytes],
      ] as const) {
        const res = await raw(`${server.base}/cometkit/${name}`, accept ? { 'Accept-Encoding': accept } : {});
        assert.equal(res.status, 200, name);
        assert.equal(res.headers['content-encoding'], coding, `${name} with ${accept || 'no Accept-Encoding'}`);
        assert.equal(res.headers['vary'], 'Accept-Encoding', name);
        assert.equal(Number(res.headers['content-length']), res.body.length, `${name}: Content-Length of what is sent`);
        const decoded = decode(res.body);
        assert.ok(decoded.equals(original), `${name} decodes to the file`);
        // The copy made at build time at the best level (the loader, mostly hashes, shrinks by less than half).
        if (coding) assert.ok(res.body.length < original.length && res.body.length <= best(coding, original), `${name} is as small in ${coding} as it gets: ${res.body.length} of ${original.length}`);
        etags.add(res.headers.etag ?? '');
        const again = await raw(`${server.base}/cometkit/${name}`, { ...(accept ? { 'Accept-Encoding': accept } : {}), 'If-None-Match': res.headers.etag ?? '' });
        assert.equal(again.status, 304, `${name} revalidated in ${coding ?? 'identity'}`);
      }
      assert.equal(etags.size, 3, `${name}: one ETag per encoding`);
      const integrity = manifest.files[distName]?.integrity;
      if (integrity) assert.equal(`sha384-${createHash('sha384').update(original).digest('base64')}`, integrity);
    }
    // A stored validator of one encoding does not answer for another.
    const br = await raw(`${server.base}/cometkit/cometkit-autoload.js`, { 'Accept-Encoding': 'br' });
    const gzip = await raw(`${server.base}/cometkit/cometkit-autoload.js`, { 'Accept-Encoding': 'gzip', 'If-None-Match': br.headers.etag ?? '' });
    assert.equal(gzip.status, 200);
    assert.equal(gzip.headers['content-encoding'], 'gzip');
  });

  it('the demo\'s static files negotiate the same way where the build compressed them', async () => {
    const serve = staticFiles({ '/dist/': fileURLToPath(new URL('../../dist/', import.meta.url)) });
    const demo = createServer((req, res) => {
      void serve(req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(demo.address() as AddressInfo).port}`;
    try {
      const original = readFileSync(new URL('../../dist/cometkit.iife.js', import.meta.url));
      const br = await raw(`${base}/dist/cometkit.iife.js`, { 'Accept-Encoding': CHROMIUM_ACCEPT });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(br.headers['vary'], 'Accept-Encoding');
      assert.equal(Number(br.headers['content-length']), br.body.length);
      assert.ok(brotliDecompressSync(br.body).equals(original));
      const plain = await raw(`${base}/dist/cometkit.iife.js`);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.ok(plain.body.equals(original));
      const map = await raw(`${base}/dist/cometkit.iife.js.map`, { 'Accept-Encoding': CHROMIUM_ACCEPT });
      assert.equal(map.headers['content-encoding'], undefined, 'a file with no compressed copy goes as it is');
      assert.equal(map.headers['vary'], undefined);
    } finally {
      demo.close();
    }
  });
});
