/**
 * The React 19 and Vue 3 pages in demo/, built with Vite against the
 * package's build and opened in Chromium against the reference server:
 * each shows a published event twice, once through the SDK in the
 * framework's own state, once in `<comet-feed>` rendered by the framework.
 * Needs the build (`npm test` builds first) and Chromium.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import { CHROMIUM_FLAGS, findBrowsers } from '../../scripts/find-browsers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

describe('framework pages (React 19, Vue 3) built with Vite', () => {
  let out: string;
  let comet: CometServer;
  let server: Server;
  let origin: string;
  let browser: Browser;

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'cometkit-demo-'));
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'demo/vite.config.mjs')], {
      cwd: root,
      env: { ...process.env, DEMO_OUT_DIR: out },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    comet = createCometServer({ publishKey: 'framework-pages' });
    server = createServer((req, res) =>
      comet(req, res, async () => {
        const file = resolve(out, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
        if (file.startsWith(out + sep) && (await stat(file).catch(() => undefined))?.isFile()) {
          res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
          res.end(await readFile(file));
          return;
        }
        res.writeHead(404);
        res.end();
      }),
    );
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await findBrowsers();
    assert.ok(chromium, 'Chromium is needed: apt-get install chromium');
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS] });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    await comet?.close();
    rmSync(out, { recursive: true, force: true });
  });

  for (const framework of ['react', 'vue']) {
    it(`${framework}: the SDK in the framework's state and <comet-feed> in its markup both show a published event`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      try {
        await page.goto(`${origin}/${framework}/index.html`);
        await page.waitForFunction(() => customElements.get('comet-feed') !== undefined && document.querySelector('comet-feed') !== null, { timeout: 10_000 });
        const title = `hello from ${framework}`;
        // The first publish may go out before the stream is open: publish until the page shows it (bounded).
        let shown = false;
        for (let attempt = 0; attempt < 20 && !shown; attempt += 1) {
          await comet.publish('demo.news', { title }, 'headline');
          shown = await page
            .waitForFunction(
              (expected) =>
                document.querySelector('[data-testid="latest"]')?.textContent === `Latest: ${expected}` &&
                (document.querySelector('comet-feed')?.shadowRoot?.textContent ?? '').includes(expected),
              { timeout: 1000 },
              title,
            )
            .then(() => true, () => false);
        }
        assert.ok(shown, `the ${framework} page showed the event in both places`);
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});
