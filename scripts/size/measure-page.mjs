/**
 * What a plain HTML page pays for cometkit's script tag: the page is served
 * by the reference server (the build in dist/), opened in the system's
 * Chromium, and every script it fetches — the tag's file, chunks loaded on
 * demand, the polyfill if it were needed — is counted, compressed as a
 * server would send it. The page is measured once the element has shown a
 * live event: by then everything needed to run it has loaded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowsers } from '../find-browsers.mjs';
import { compressed, root, total } from './measure.mjs';

const PUBLISH_KEY = 'size-check';

async function startServer(html) {
  const { createCometServer } = await import(pathToFileURL(join(root, 'dist/server/index.js')).href);
  const comet = createCometServer({ publishKey: PUBLISH_KEY });
  const dist = resolve(root, 'dist');
  const server = createServer((req, res) => {
    comet(req, res, async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (pathname === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(html);
        return;
      }
      const file = resolve(dist, `.${pathname.replace(/^\/dist/, '')}`);
      if (pathname.startsWith('/dist/') && file.startsWith(dist + sep)) {
        try {
          await stat(file);
          res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
          createReadStream(file).pipe(res);
          return;
        } catch {}
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    publish: (channel, data) =>
      fetch(`${origin}/comet/publish`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${PUBLISH_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel, type: 'size', data }),
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await comet.close();
    },
  };
}

/**
 * Opens `html` (with a `<comet-feed channel="size">`) and returns every
 * script file it fetched, with sizes. `shown` is an expression true once
 * the page shows the published event.
 */
export async function measurePage(html, { timeoutMs = 20_000 } = {}) {
  const { chromium } = await findBrowsers();
  if (!chromium) throw new Error('The page size check needs Chromium: install it (Debian: apt-get install chromium).');
  const server = await startServer(html);
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS] });
  try {
    const page = await browser.newPage();
    const scripts = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response);
    });
    await page.goto(`${server.origin}/`);
    // Publish until the feed shows an event: the first may go out before the stream is open.
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      await server.publish('size', { title: `event ${attempt}` });
      const shown = await page
        .waitForFunction(
          () => {
            const feed = document.querySelector('comet-feed');
            return !!feed?.shadowRoot && /event \d+/.test(feed.shadowRoot.textContent ?? '');
          },
          { timeout: 1000 },
        )
        .then(() => true, () => false);
      if (shown) break;
      if (Date.now() > deadline) throw new Error(`The size-check page never showed a published event within ${timeoutMs} ms.`);
    }
    const files = [];
    for (const response of scripts) {
      const url = new URL(response.url());
      files.push({ path: url.pathname, ...compressed(Buffer.from(await response.buffer())) });
    }
    return { files, ...total(files) };
  } finally {
    await browser.close();
    await server.close();
  }
}
