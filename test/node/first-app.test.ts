/**
 * The first hour, as a new user lives it: a Vite app whose files are README
 * section 3's code blocks (read from README.md at test time, by their
 * `<!-- first-app: path -->` markers, so the README cannot drift from what
 * is tested), the packed package installed into it, bundled by `vite build`,
 * served by `vite preview` (which proxies `/comet` as the README's config
 * says) against `cometkit-server --dev` from the app's own bin, opened in
 * headless Chromium. The only edits to the README's code: the server's port
 * (a free one, not 8080), and for the misconfigured pages the `/comet`
 * address, as a user gets it wrong. Needs the build (`npm test` builds first).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowser } from '../../scripts/find-browsers.mjs';
import { installPacked, pack, root, run, vite } from '../support/packed-package.js';

/** README section 3's marked code blocks: path → code. */
function readmeApp(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- first-app: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) blocks.set(match[1]!, match[2]!);
  return blocks;
}

/** A port free on loopback now (for `vite preview`, whose origin the server must be told before it starts). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Spawns `command`, resolving with the process once a line of its output matches `ready`. */
function start(command: string, args: string[], cwd: string, ready: RegExp): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> {
  // NO_COLOR: Vite colours its output where `CI` is set (picocolors), which splits `127.0.0.1:<port>` with escapes.
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      const match = output.match(ready);
      if (match) resolve({ child, output: () => output, match });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
  });
}

/** Serves a built app's folder on a loopback port of its own: another origin, no proxy. */
async function serveStatic(folder: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(folder, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** What the README's own listeners logged, and the elements' text. */
interface Watched {
  page: Page;
  logs: Array<{ type: string; text: string; url: string | undefined; args: unknown[] }>;
}

async function open(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage();
  const logs: Watched['logs'] = [];
  page.on('console', (message) => {
    void Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg)))).then((args) => logs.push({ type: message.type(), text: message.text(), url: message.location().url, args }));
  });
  await page.goto(url);
  return { page, logs };
}

const shadowText = (page: Page, selector: string, part?: string): Promise<string> =>
  page.evaluate(
    (selector, part) => {
      const root = document.querySelector(selector)?.shadowRoot;
      return (part ? root?.querySelector(`[part~="${part}"]`)?.textContent : root?.textContent) ?? '';
    },
    selector,
    part,
  );

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a first app built from the README alone', { timeout: 300_000 }, () => {
  let dir: string;
  let server: { child: ChildProcess; output: () => string; match: RegExpMatchArray };
  let preview: { child: ChildProcess };
  let previewOrigin: string;
  let serverBase: string;
  let publishKey: string;
  let browser: Browser;
  const statics: Server[] = [];
  const app = readmeApp();

  /** Builds the app with main.ts's `/comet` addresses (the client's and the token's) replaced by `base`, into its own folder. */
  function buildWith(name: string, base: string): string {
    const main = app.get('src/main.ts')!;
    writeFileSync(join(dir, 'src/main.ts'), main.replaceAll("'/comet", `'${base}`));
    run(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', `dist-${name}`], dir);
    writeFileSync(join(dir, 'src/main.ts'), main);
    return join(dir, `dist-${name}`);
  }

  before(async () => {
    assert.deepEqual([...app.keys()].sort(), ['index.html', 'src/main.ts', 'vite.config.js'], 'README section 3 marks the app\'s three files');
    dir = mkdtempSync(join(tmpdir(), 'cometkit-first-app-'));
    const tarball = pack(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-first-comet-app', private: true, type: 'module' }, null, 2));
    // What README section 3 says to install: cometkit, its peer Lit, and jose for --dev.
    installPacked(dir, tarball.filename, ['lit', 'jose']);

    previewOrigin = `http://127.0.0.1:${await freePort()}`;
    const bin = join(dir, 'node_modules/.bin/cometkit-server');
    server = await start(bin, ['--dev', '--port', '0', '--allowed-origins', previewOrigin], dir, /cometkit server on (http:\/\/\S+)\n[\s\S]*?publish key \(new on every start[^)]*\): (\S+)\n/);
    serverBase = server.match[1]!;
    publishKey = server.match[2]!;
    const serverPort = new URL(serverBase).port;

    for (const [path, code] of app) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), path === 'vite.config.js' ? code.replace('127.0.0.1:8080', `127.0.0.1:${serverPort}`) : code);
    }
    run(process.execPath, [vite, 'build', '--logLevel', 'warn'], dir);
    preview = await start(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', new URL(previewOrigin).port, '--strictPort'], dir, /127\.0\.0\.1:\d+/);

    const executablePath = findBrowser('chromium');
    assert.ok(executablePath, 'Chromium is installed (node scripts/find-browsers.mjs --install)');
    browser = await puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
  });

  after(async () => {
    await browser?.close();
    for (const stat of statics) stat.close();
    preview?.child.kill();
    server?.child.kill();
    if (process.env['KEEP_SCRATCH']) console.log(dir);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a published event in the feed, and sends and receives notifications with the README\'s dev token', async () => {
    const { page, logs } = await open(browser, `${previewOrigin}/`);
    // The send at the end of main.ts ran with the dev token: Ada's event is in the feed.
    await until('the sent event in the feed', async () => (await shadowText(page, 'comet-feed')).includes('Hello from Ada'));
    assert.equal(await shadowText(page, 'comet-status', 'label'), 'Live');

    const publish = await fetch(`${serverBase}/publish`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${publishKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'news', type: 'headline', data: { title: 'Published with the key' } }),
    });
    assert.equal(publish.status, 200, await publish.text());
    await until('the published event in the feed', async () => (await shadowText(page, 'comet-feed')).includes('Published with the key'));

    // The inbox started: a notification for ada reaches the README's `added` listener.
    const notify = async (): Promise<Response> =>
      fetch(`${serverBase}/inbox/notify`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${publishKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: 'ada', type: 'comment', data: { title: 'Grace replied' } }),
      });
    await until('the inbox to start', () => logs.length > 0 && page.evaluate(() => true));
    const sent = await notify();
    assert.equal(sent.status, 200, await sent.text());
    const added = await until('the notification in the page', () => logs.find((log) => log.args[0] === 'notification'));
    assert.deepEqual(added.args[1], { title: 'Grace replied' });
    assert.equal(added.args[2], 1, 'one unread');
    // The browser asks for /favicon.ico, which a new app has not made.
    assert.deepEqual(logs.filter((log) => (log.type === 'warn' || log.type === 'error') && !log.url?.endsWith('/favicon.ico')), [], 'no warning or error on the way');
    await page.close();
  });

  const misconfigured: Array<{ name: string; base: () => string; code: string; status: RegExp; message: (base: string) => string }> = [
    { name: 'refused origin', base: () => `${serverBase}`, code: 'origin-not-allowed', status: /This site is not allowed by the push server/, message: () => 'COMET_ALLOWED_ORIGINS' },
    { name: 'wrong URL', base: () => 'http://127.0.0.1:2/comet', code: 'unreachable', status: /The push server cannot be reached/, message: (base) => base },
    // The server's origin without its base path, as a user forgets `/comet`.
    { name: '404', base: () => new URL(serverBase).origin, code: 'not-found', status: /No push server at this address/, message: (base) => base },
  ];
  for (const { name, base, code, status, message } of misconfigured) {
    it(`names the cause of a ${name} in the error event and in <comet-status>`, async () => {
      const built = buildWith(name.replaceAll(' ', '-'), base());
      const served = await serveStatic(built);
      statics.push(served.server);
      const { page, logs } = await open(browser, `${served.origin}/`);
      // The README's error listener: console.warn(code, message).
      const error = await until(`a ${code} error event`, () => logs.find((log) => log.type === 'warn' && log.args[0] === code)).catch((error: Error) => {
        throw new Error(`${error.message}; the page logged ${JSON.stringify(logs)}`);
      });
      assert.match(String(error.args[1]), new RegExp(message(base()).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      const reason = await until('the status to say why', async () => (await shadowText(page, 'comet-status', 'reason')) || undefined);
      assert.match(reason, status);
      await page.close();
    });
  }
});
