/**
 * The push server serves cometkit's browser files under `{basePath}/cometkit/`,
 * as the README's script tag expects. Needs the build (`npm test` builds
 * before the Node tests).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
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
    for (const name of manifest.autoload) {
      const res = await http(`${server.base}/cometkit/autoload/${name}`);
      const integrity = `sha256-${createHash('sha256').update(res.text).digest('base64')}`;
      assert.ok(loader.includes(`"${name}":["${integrity}"`), `the loader holds ${name} with ${integrity}`);
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
