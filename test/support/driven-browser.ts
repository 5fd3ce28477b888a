/**
 * One small interface over the three engines for Node tests that drive a
 * whole app (test/node/first-app.test.ts): open a page in a tab of one
 * browser profile, run a function in it, close it. Chromium and Firefox go
 * through puppeteer-core (Firefox over WebDriver BiDi); WebKit is WebKitGTK's
 * MiniBrowser through `WebKitWebDriver`, spoken to over W3C WebDriver with
 * `fetch` (as scripts/webkit-launcher.mjs does for the browser tests), under
 * `xvfb-run` when there is no display.
 *
 * What a page logs is not read here: MiniBrowser's console does not reach
 * WebDriver, so a test that needs it records it in the page (see the
 * first-app test) and reads it with `evaluate`, the same way in every engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowser, findWebKitDriver, findXvfbRun, type BrowserName } from '../../scripts/find-browsers.mjs';

export interface DrivenPage {
  /** Runs `fn` in the page with `args` (JSON values) and resolves with its JSON result; `fn` may return a promise. */
  evaluate<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
  close(): Promise<void>;
}

export interface DrivenBrowser {
  readonly engine: BrowserName;
  /** A new tab of the same profile (pages of one origin share SharedWorkers, locks and storage), loaded with `url`. */
  open(url: string): Promise<DrivenPage>;
  close(): Promise<void>;
}

/** The engines a run asks for: `WTR_BROWSERS` as for the browser tests (`chromium,firefox,webkit` when unset). */
export function wantedEngines(): BrowserName[] {
  const names = (process.env['WTR_BROWSERS'] ?? 'chromium,firefox,webkit').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !['chromium', 'firefox', 'webkit'].includes(name));
  if (unknown.length > 0) throw new Error(`WTR_BROWSERS names unknown engines: ${unknown.join(', ')} (use chromium, firefox, webkit).`);
  return names as BrowserName[];
}

export async function launchEngine(engine: BrowserName): Promise<DrivenBrowser> {
  const executablePath = findBrowser(engine);
  if (!executablePath) throw new Error(`No ${engine} found: run \`node scripts/find-browsers.mjs --install\`.`);
  if (engine === 'webkit') return launchWebKit(executablePath);
  const browser =
    engine === 'chromium'
      ? await puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] })
      : await puppeteer.launch({ browser: 'firefox', executablePath, headless: true });
  return puppeteerBrowser(engine, browser);
}

function puppeteerBrowser(engine: BrowserName, browser: Browser): DrivenBrowser {
  return {
    engine,
    async open(url) {
      const page: Page = await browser.newPage();
      await page.goto(url);
      return {
        evaluate: (fn, ...args) => page.evaluate(fn as (...args: unknown[]) => unknown, ...args) as Promise<never>,
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function launchWebKit(binary: string): Promise<DrivenBrowser> {
  const driverPath = findWebKitDriver();
  if (!driverPath) throw new Error('No WebKitWebDriver found: `apt-get install webkit2gtk-driver`, or set WEBKIT_WEBDRIVER_PATH.');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const driverArgs = [`--port=${port}`, '--host=local'];
  const xvfbRun = process.env['DISPLAY'] ? undefined : findXvfbRun();
  if (!process.env['DISPLAY'] && !xvfbRun) throw new Error('MiniBrowser needs a display: `apt-get install xvfb xauth`, or set DISPLAY.');
  // Its own process group, so that stopping it stops xvfb-run's Xvfb and the browser with it.
  const driver: ChildProcess = xvfbRun
    ? spawn(xvfbRun, ['-a', driverPath, ...driverArgs], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(driverPath, driverArgs, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  driver.stdout!.on('data', keep);
  driver.stderr!.on('data', keep);
  const stopDriver = async (): Promise<void> => {
    if (driver.exitCode !== null || driver.signalCode !== null) return;
    const exited = new Promise((resolve) => driver.once('exit', resolve));
    try {
      process.kill(-driver.pid!, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, delay(3000)]);
    if (driver.exitCode === null && driver.signalCode === null) process.kill(-driver.pid!, 'SIGKILL');
  };

  const command = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await response.json().catch(() => undefined)) as { value?: T & { error?: string; message?: string } } | undefined;
    if (!response.ok || parsed?.value?.error) {
      throw new Error(`WebDriver ${method} ${path}: ${parsed?.value?.error ?? `HTTP ${response.status}`}: ${parsed?.value?.message ?? ''}${path === '/session' ? `\n${output.trim()}` : ''}`);
    }
    return parsed!.value as T;
  };

  try {
    const started = Date.now();
    for (;;) {
      const status = await fetch(`${base}/status`)
        .then((response) => response.json() as Promise<{ value?: { ready?: boolean } }>)
        .catch(() => undefined);
      if (status?.value?.ready) break;
      if (driver.exitCode !== null) throw new Error(`${driverPath} exited (${driver.exitCode}) before it listened: ${output.trim()}`);
      if (Date.now() - started > 15_000) throw new Error(`${driverPath} did not answer on ${base} within 15 s: ${output.trim()}`);
      await delay(100);
    }
    const { sessionId } = await command<{ sessionId: string }>('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary, args: ['--automation'] },
          timeouts: { script: 60_000, pageLoad: 60_000 },
        },
      },
    });
    const session = `/session/${sessionId}`;
    // The session's first window stays open for the session's life: a new tab is opened from the current window, which must exist.
    const home = await command<string>('GET', `${session}/window`);
    // WebDriver acts on one current window: commands run one at a time, each switching to its page's window first.
    let queue: Promise<unknown> = Promise.resolve();
    const serially = <T>(task: () => Promise<T>): Promise<T> => {
      const result = queue.then(task);
      queue = result.catch(() => {});
      return result;
    };
    return {
      engine: 'webkit',
      async open(url) {
        const handle = await serially(async () => {
          const { handle } = await command<{ handle: string }>('POST', `${session}/window/new`, { type: 'tab' });
          await command('POST', `${session}/window`, { handle });
          await command('POST', `${session}/url`, { url });
          return handle;
        });
        let open = true;
        return {
          evaluate: (fn, ...args) =>
            serially(async () => {
              await command('POST', `${session}/window`, { handle });
              // [WebDriver] "Execute Async Script": the last argument is the callback; a rejection comes back as { thrown }.
              const script = `const done = arguments[arguments.length - 1];
                Promise.resolve().then(() => (${fn.toString()})(...Array.prototype.slice.call(arguments, 0, -1)))
                  .then((value) => done({ value }), (error) => done({ thrown: String(error && error.stack || error) }));`;
              const result = await command<{ value?: never; thrown?: string }>('POST', `${session}/execute/async`, { script, args });
              if (result.thrown !== undefined) throw new Error(`in the page: ${result.thrown}`);
              return result.value as never;
            }),
          close: () =>
            serially(async () => {
              if (!open) return;
              open = false;
              await command('POST', `${session}/window`, { handle });
              await command('DELETE', `${session}/window`);
              await command('POST', `${session}/window`, { handle: home });
            }),
        };
      },
      async close() {
        await command('DELETE', session).catch(() => {});
        await stopDriver();
      },
    };
  } catch (error) {
    await stopDriver();
    throw error;
  }
}
