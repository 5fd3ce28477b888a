/**
 * The first hour, as a new user lives it: a Vite app whose files are README
 * section 3's code blocks (read from README.md at test time, by their
 * `<!-- first-app: path -->` markers, so the README cannot drift from what
 * is tested), the packed package installed into it, bundled by `vite build`,
 * served by `vite preview` (which proxies `/comet` as the README's config
 * says) against `cometkit-server --dev` from the app's own bin, opened in
 * Chromium, Firefox and WebKit (`WTR_BROWSERS` picks fewer). The only edits
 * to the README's code: the server's port (a free one, not 8080), and for
 * the misconfigured pages the `/comet` address, as a user gets it wrong. The
 * built pages get one more script, first: it records what the page logs, so
 * that the test reads it the same way in every engine (MiniBrowser's console
 * does not reach WebDriver). The app passes no `workerUrl`: its bundler
 * emits cometkit's worker on the app's origin, and two tabs share one
 * SharedWorker and one stream; under `vite` (the dev server) the page holds
 * its connection in the SharedWorker too. Needs the build (`npm test`
 * builds first).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { launchEngine, wantedEngines, type DrivenBrowser, type DrivenPage } from '../support/driven-browser.js';
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
async function serveStatic(folder: string, port = 0): Promise<{ server: Server; origin: string }> {
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
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/**
 * The first script of every built page: records the page's console calls
 * (the README's listeners log with them), uncaught errors and unhandled
 * rejections in `window.__logged`, as JSON.
 */
const recordLogs = `<script>
window.__logged = [];
const record = (type, args) => {
  let values;
  try { values = JSON.parse(JSON.stringify(args)); } catch { values = args.map(String); }
  window.__logged.push({ type, args: values });
};
for (const type of ['log', 'info', 'warn', 'error']) {
  const original = console[type];
  console[type] = function (...args) { record(type, args); return original.apply(this, args); };
}
addEventListener('error', (event) => record('error', [String(event.error ?? event.message)]));
addEventListener('unhandledrejection', (event) => record('error', [String(event.reason)]));
</script>`;

/** Puts `recordLogs` before every other script of a built app's page. */
function recordLogsIn(folder: string): void {
  const file = join(folder, 'index.html');
  const html = readFileSync(file, 'utf8');
  const at = html.indexOf('<script');
  assert.ok(at >= 0, `${file} has a script`);
  writeFileSync(file, html.slice(0, at) + recordLogs + html.slice(at));
}

interface Logged {
  type: string;
  args: unknown[];
}

const logsOf = (page: DrivenPage): Promise<Logged[]> => page.evaluate(() => (window as unknown as { __logged: Logged[] }).__logged);

const shadowText = (page: DrivenPage, selector: string, part?: string): Promise<string> =>
  page.evaluate(
    (selector: string, part: string | null) => {
      const root = document.querySelector(selector)?.shadowRoot;
      return (part ? root?.querySelector(`[part~="${part}"]`)?.textContent : root?.textContent) ?? '';
    },
    selector,
    part ?? null,
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

describe('a first app built from the README alone', { timeout: 600_000 }, () => {
  let dir: string;
  let server: { child: ChildProcess; output: () => string; match: RegExpMatchArray };
  let preview: { child: ChildProcess };
  let previewOrigin: string;
  /** `vite` itself, the dev server a new user starts first. */
  let devServer: { child: ChildProcess };
  let devOrigin: string;
  /** The same app bundled by esbuild, which does not know `new SharedWorker(new URL(…))`: served as built, no proxy. */
  let esbuildOrigin: string;
  let serverBase: string;
  let publishKey: string;
  const statics: Server[] = [];
  const app = readmeApp();
  /** Notifications sent to ada, whose unread count the page shows. */
  let notifiedAda = 0;

  /** Builds the app with main.ts's `/comet` addresses (the client's and the token's) replaced by `base`, into its own folder. */
  function buildWith(name: string, base: string): string {
    const main = app.get('src/main.ts')!;
    writeFileSync(join(dir, 'src/main.ts'), main.replaceAll("'/comet", `'${base}`));
    run(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', `dist-${name}`], dir);
    writeFileSync(join(dir, 'src/main.ts'), main);
    recordLogsIn(join(dir, `dist-${name}`));
    return join(dir, `dist-${name}`);
  }

  /** Streams open on the server now, as its health endpoint counts them. */
  const openStreams = async (): Promise<number> => ((await (await fetch(`${serverBase}/health`)).json()) as { streams: number }).streams;

  const publish = async (title: string): Promise<void> => {
    const answer = await fetch(`${serverBase}/publish`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${publishKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'news', type: 'headline', data: { title } }),
    });
    assert.equal(answer.status, 200, await answer.text());
  };

  const misconfigured: Array<{ name: string; base: () => string; code: string; status: RegExp; message: (base: string) => string; origin?: string }> = [
    { name: 'refused origin', base: () => `${serverBase}`, code: 'origin-not-allowed', status: /This site is not allowed by the push server/, message: () => 'COMET_ALLOWED_ORIGINS' },
    { name: 'wrong URL', base: () => 'http://127.0.0.1:2/comet', code: 'unreachable', status: /The push server cannot be reached/, message: (base) => base },
    // The server's origin without its base path, as a user forgets `/comet`.
    { name: '404', base: () => new URL(serverBase).origin, code: 'not-found', status: /No push server at this address/, message: (base) => base },
  ];

  before(async () => {
    assert.deepEqual([...app.keys()].sort(), ['index.html', 'src/main.ts', 'vite.config.js'], 'README section 3 marks the app\'s three files');
    dir = mkdtempSync(join(tmpdir(), 'cometkit-first-app-'));
    const tarball = pack(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-first-comet-app', private: true, type: 'module' }, null, 2));
    // What README section 3 says to install: cometkit, its peer Lit, and jose for --dev.
    installPacked(dir, tarball.filename, ['lit', 'jose']);

    previewOrigin = `http://127.0.0.1:${await freePort()}`;
    devOrigin = `http://127.0.0.1:${await freePort()}`;
    esbuildOrigin = `http://127.0.0.1:${await freePort()}`;
    const bin = join(dir, 'node_modules/.bin/cometkit-server');
    server = await start(bin, ['--dev', '--port', '0', '--allowed-origins', `${previewOrigin},${devOrigin},${esbuildOrigin}`], dir, /cometkit server on (http:\/\/\S+)\n[\s\S]*?publish key \(new on every start[^)]*\): (\S+)\n/);
    serverBase = server.match[1]!;
    publishKey = server.match[2]!;
    const serverPort = new URL(serverBase).port;

    for (const [path, code] of app) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), path === 'vite.config.js' ? code.replace('127.0.0.1:8080', `127.0.0.1:${serverPort}`) : code);
    }
    run(process.execPath, [vite, 'build', '--logLevel', 'warn'], dir);
    recordLogsIn(join(dir, 'dist'));
    preview = await start(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', new URL(previewOrigin).port, '--strictPort'], dir, /127\.0\.0\.1:\d+/);
    // Built once, opened in each engine.
    for (const entry of misconfigured) {
      const served = await serveStatic(buildWith(entry.name.replaceAll(' ', '-'), entry.base()));
      statics.push(served.server);
      entry.origin = served.origin;
    }
    // esbuild leaves the SDK's `new URL('../worker.js', import.meta.url)` as it is: it names a file the build did not
    // write. The server's full address in place of `/comet`, as the README says for an app without a proxy.
    const esbuildOut = join(dir, 'dist-esbuild');
    mkdirSync(esbuildOut, { recursive: true });
    writeFileSync(join(dir, 'src/main-esbuild.ts'), app.get('src/main.ts')!.replaceAll("'/comet", `'${serverBase}`));
    await build({
      absWorkingDir: dir,
      entryPoints: { main: 'src/main-esbuild.ts' },
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      platform: 'browser',
      target: 'es2022',
      outdir: join(esbuildOut, 'assets'),
      logLevel: 'error',
    });
    const esbuildPage = app.get('index.html')!.replace('src="/src/main.ts"', 'src="/assets/main.js"');
    assert.notEqual(esbuildPage, app.get('index.html'), 'the README\'s page loads src/main.ts');
    writeFileSync(join(esbuildOut, 'index.html'), esbuildPage);
    recordLogsIn(esbuildOut);
    statics.push((await serveStatic(esbuildOut, Number(new URL(esbuildOrigin).port))).server);
    // Started once the builds are done: they rewrite src/main.ts for a moment, which the dev server would pick up.
    devServer = await start(process.execPath, [vite, '--host', '127.0.0.1', '--port', new URL(devOrigin).port, '--strictPort'], dir, /127\.0\.0\.1:\d+/);
  });

  after(async () => {
    for (const stat of statics) stat.close();
    preview?.child.kill();
    devServer?.child.kill();
    server?.child.kill();
    if (process.env['KEEP_SCRATCH']) console.log(dir);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('emits cometkit\'s worker with the app, from the SDK\'s own `new SharedWorker(new URL(…))`', () => {
    const assets = readdirSync(join(dir, 'dist/assets'));
    const workers = assets.filter((file) => /^worker-[\w-]+\.js$/.test(file));
    assert.equal(workers.length, 1, `one worker file among ${JSON.stringify(assets)}`);
    assert.match(readFileSync(join(dir, 'dist/assets', workers[0]!), 'utf8'), /onconnect/, 'it is the SharedWorker entry');
    // The page's code names it by the app's own path: the worker loads from the app's origin.
    const pageCode = assets.filter((file) => file.endsWith('.js') && !workers.includes(file)).map((file) => readFileSync(join(dir, 'dist/assets', file), 'utf8'));
    assert.ok(pageCode.some((code) => /new SharedWorker\(/.test(code) && code.includes(`/assets/${workers[0]}`)), 'a page chunk starts the emitted worker');
  });

  for (const engine of wantedEngines()) {
    describe(`in ${engine}`, () => {
      let browser: DrivenBrowser;
      before(async () => {
        browser = await launchEngine(engine);
      });
      after(async () => {
        await browser?.close();
      });

      it('shows a published event in the feed, and sends and receives notifications with the README\'s dev token', async () => {
        const page = await browser.open(`${previewOrigin}/`);
        try {
          // The send at the end of main.ts ran with the dev token: Ada's event is in the feed.
          await until('the sent event in the feed', async () => (await shadowText(page, 'comet-feed')).includes('Hello from Ada'));
          assert.equal(await shadowText(page, 'comet-status', 'label'), 'Live');

          await publish('Published with the key');
          await until('the published event in the feed', async () => (await shadowText(page, 'comet-feed')).includes('Published with the key'));

          // The inbox started: a notification for ada reaches the README's `added` listener.
          // `inbox.start()` reads the counts, waits for the stream to carry the inbox channel, then reads them again
          // (src/inbox/inbox.ts): the second read says a notification sent now arrives as `added`.
          await until('the inbox live', () =>
            page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/inbox/counts')).length >= 2),
          );
          const sent = await fetch(`${serverBase}/inbox/notify`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${publishKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ user: 'ada', type: 'comment', data: { title: 'Grace replied' } }),
          });
          assert.equal(sent.status, 200, await sent.text());
          notifiedAda += 1;
          const added = await until('the notification in the page', async () => (await logsOf(page)).find((log) => log.args[0] === 'notification'));
          assert.deepEqual(added.args[1], { title: 'Grace replied' });
          // Ada's inbox is on the server: each engine's run adds one unread notification.
          assert.equal(added.args[2], notifiedAda, 'one more unread');
          const logs = await logsOf(page);
          assert.deepEqual(logs.filter((log) => log.type === 'warn' || log.type === 'error'), [], 'no warning or error on the way');
        } finally {
          await page.close();
        }
      });

      it('holds the connection in a SharedWorker from the app\'s origin, one stream for two tabs, with no workerUrl', async () => {
        // A page the previous test closed may still be letting go of its worker's stream: counted from none.
        await until('no stream left by an earlier page', async () => (await openStreams()) === 0, 30_000);
        const first = await browser.open(`${previewOrigin}/`);
        const second = await browser.open(`${previewOrigin}/`);
        try {
          for (const page of [first, second]) {
            await until('the page live', async () => (await shadowText(page, 'comet-status', 'label')) === 'Live');
            // <comet-status verbose> shows `client.host: client.hostReason`: the bundled worker, nothing passed over.
            const details = await shadowText(page, 'comet-status', 'details');
            assert.match(details, /^shared-worker: shared-worker/, details);
            assert.doesNotMatch(details, /not shared-worker/, details);
          }
          // Each tab subscribes to the feed's channel and starts Ada's inbox; one SharedWorker carries both tabs on one stream.
          let streams = -1;
          await until('one stream for the two tabs', async () => (streams = await openStreams()) === 1).catch((error: Error) => {
            throw new Error(`${error.message} (the server holds ${streams})`);
          });
          await publish('Seen by both tabs');
          for (const page of [first, second]) {
            await until('the event in each tab\'s feed', async () => (await shadowText(page, 'comet-feed')).includes('Seen by both tabs'));
          }
          assert.equal(await openStreams(), 1, 'still one stream');
          for (const page of [first, second]) {
            assert.deepEqual((await logsOf(page)).filter((log) => log.type === 'warn' || log.type === 'error'), [], 'no warning or error on the way');
          }
        } finally {
          await first.close();
          await second.close();
        }
        await until('the stream closed with the last tab', async () => (await openStreams()) === 0);
      });

      it('holds the connection in the SharedWorker under `vite` (dev) too', async () => {
        const page = await browser.open(`${devOrigin}/`);
        try {
          // The dev server optimizes the dependencies on the first visit and may reload the page once meanwhile.
          const label = (): Promise<string> => shadowText(page, 'comet-status', 'label').catch(() => '');
          await until('the page live', async () => (await label()) === 'Live', 60_000);
          // Vite's dependency optimizer rewrote the SDK's URL to the package's own dist/dev/worker.js, served by the dev server.
          const details = await shadowText(page, 'comet-status', 'details');
          assert.match(details, /^shared-worker: shared-worker/, details);
          assert.doesNotMatch(details, /not shared-worker/, details);
          await until('the sent event in the feed', async () => (await shadowText(page, 'comet-feed').catch(() => '')).includes('Hello from Ada'));
        } finally {
          await page.close();
        }
      });

      it('falls back to a leader tab, and works, where the bundler did not emit the worker (esbuild)', async () => {
        const page = await browser.open(`${esbuildOrigin}/`);
        try {
          await until('the sent event in the feed', async () => (await shadowText(page, 'comet-feed')).includes('Hello from Ada'));
          assert.equal(await shadowText(page, 'comet-status', 'label'), 'Live');
          const details = await shadowText(page, 'comet-status', 'details');
          assert.match(details, /^leader-tab: leader-tab; not shared-worker: the worker script cometkit\/worker \(as bundled with the app\) failed to load/, details);
        } finally {
          await page.close();
        }
      });

      for (const { name, base, code, status, message } of misconfigured) {
        it(`names the cause of a ${name} in the error event and in <comet-status>`, async () => {
          const { origin } = misconfigured.find((entry) => entry.name === name)!;
          const page = await browser.open(`${origin}/`);
          try {
            // The README's error listener: console.warn(code, message).
            const error = await until(`a ${code} error event`, async () => (await logsOf(page)).find((log) => log.type === 'warn' && log.args[0] === code)).catch(async (error: Error) => {
              throw new Error(`${error.message}; the page logged ${JSON.stringify(await logsOf(page))}`);
            });
            assert.match(String(error.args[1]), new RegExp(message(base()).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
            const reason = await until('the status to say why', async () => (await shadowText(page, 'comet-status', 'reason')) || undefined);
            assert.match(reason, status);
          } finally {
            await page.close();
          }
        });
      }
    });
  }
});
