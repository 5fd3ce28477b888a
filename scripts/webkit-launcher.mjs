/**
 * A @web/test-runner BrowserLauncher for WebKit: WebKitGTK's MiniBrowser
 * driven by `WebKitWebDriver` over W3C WebDriver (HTTP + JSON, through
 * `fetch`). @web/test-runner-webdriver would need webdriverio, whose peer
 * range does not allow the puppeteer-core the Firefox launcher needs; the
 * few WebDriver commands used here do not justify ~200 packages.
 *
 * One WebDriver session holds one control window; each test file opens in a
 * window of its own (`window.open` from the control window), so test pages
 * are top-level documents as in the Chromium and Firefox launchers. WebDriver
 * commands act on one "current" window, so they run one at a time, and only
 * key presses (`sendKeys` from @web/test-runner-commands) switch to a test's
 * window and back.
 *
 * MiniBrowser needs a display: the runner is started under `xvfb-run -a`
 * when there is none (scripts/run-browser-tests.mjs). Console output of the
 * pages does not reach WebDriver; @web/test-runner's page script reports
 * logs and uncaught errors over its own socket, and anything else a test
 * needs to see is read from the page.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Flags of MiniBrowser (WebKitSettings properties). */
const MINIBROWSER_ARGS = Object.freeze([
  '--automation',
  // Test pages open windows (extra tabs, back/forward cache fixtures) without a user gesture.
  '--javascript-can-open-windows-automatically=true',
  '--enable-page-cache=true',
]);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** [WebDriver] "keyboard actions": the code points of the named keys @web/test-runner-commands passes. */
const KEYS = {
  Tab: '\uE004',
  Enter: '\uE007',
  Escape: '\uE00C',
  Space: ' ',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Backspace: '\uE003',
  Delete: '\uE017',
};

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class WebDriverError extends Error {
  name = 'WebDriverError';
}

export class WebKitLauncher {
  name = 'WebKit';
  type = 'webdriver';
  concurrency;
  #driverPath;
  #binary;
  #args;
  #driver;
  #base;
  #session;
  #driverOutput = '';
  /** test session id → { name in the control window's `__wtrWindows`, WebDriver window handle }. */
  #windows = new Map();
  #controlHandle;
  /** Commands depend on the current window: one at a time. */
  #queue = Promise.resolve();
  #nextWindow = 1;
  /** The control window must be on the test server's origin to read its windows' URLs. */
  #controlOrigin;
  #controlReady;

  constructor({ driverPath = '/usr/bin/WebKitWebDriver', binary, args = [], concurrency } = {}) {
    if (!binary) throw new Error('webkitLauncher() needs `binary`: the path of MiniBrowser.');
    this.#driverPath = driverPath;
    this.#binary = binary;
    this.#args = [...MINIBROWSER_ARGS, ...args];
    if (concurrency !== undefined) this.concurrency = concurrency;
  }

  async initialize() {
    const port = await freePort();
    this.#base = `http://127.0.0.1:${port}`;
    this.#driver = spawn(this.#driverPath, [`--port=${port}`, '--host=local'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      // Only the tail matters, for the error message when the driver fails to start a browser.
      this.#driverOutput = (this.#driverOutput + chunk.toString()).slice(-4000);
    };
    this.#driver.stdout.on('data', keep);
    this.#driver.stderr.on('data', keep);
    const exited = new Promise((resolve) => this.#driver.once('exit', (code, signal) => resolve(`${code ?? signal}`)));
    // Bounded: the driver binds within a moment or it will not.
    const started = Date.now();
    for (;;) {
      const status = await fetch(`${this.#base}/status`).then((r) => r.json()).catch(() => undefined);
      if (status?.value?.ready) break;
      const gone = await Promise.race([exited, delay(100).then(() => undefined)]);
      if (gone !== undefined) throw new Error(`${this.#driverPath} exited (${gone}) before it listened: ${this.#driverOutput.trim()}`);
      if (Date.now() - started > 15_000) throw new Error(`${this.#driverPath} did not answer on ${this.#base} within 15 s.`);
    }
    const created = await this.#command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary: this.#binary, args: this.#args },
          // The control window only opens and closes windows; a loaded machine may still take its time.
          timeouts: { script: 60_000, pageLoad: 60_000 },
          // The nginx tests' self-signed certificate, made per run (as for the other engines).
          acceptInsecureCerts: true,
        },
      },
    });
    this.#session = created.sessionId;
    this.#controlHandle = await this.#command('GET', `/session/${this.#session}/window`);
  }

  async stop() {
    try {
      if (this.#session) await this.#command('DELETE', `/session/${this.#session}`);
    } catch {
      // The browser may already be gone; the driver is stopped below either way.
    }
    this.#session = undefined;
    if (this.#driver && this.#driver.exitCode === null) {
      const exited = new Promise((resolve) => this.#driver.once('exit', resolve));
      this.#driver.kill('SIGTERM');
      await Promise.race([exited, delay(3000)]);
      if (this.#driver.exitCode === null) this.#driver.kill('SIGKILL');
    }
  }

  async startSession(sessionId, url) {
    const origin = new URL(url).origin;
    if (this.#controlOrigin !== origin) {
      this.#controlOrigin = origin;
      // @web/test-runner serves an empty page for this (it is what its iframe mode uses).
      this.#controlReady = this.#command('POST', `/session/${this.#session}/url`, { url: `${origin}/?mode=iframe` });
    }
    await this.#controlReady;
    const name = `wtr-${this.#nextWindow++}`;
    const handle = await this.#serially(async () => {
      const before = new Set(await this.#command('GET', `/session/${this.#session}/window/handles`));
      await this.#command('POST', `/session/${this.#session}/execute/sync`, {
        script: `const [name, url] = arguments;
          window.__wtrWindows ??= {};
          const opened = window.open(url, name);
          if (!opened) throw new Error('window.open() was refused');
          window.__wtrWindows[name] = opened;`,
        args: [name, url],
      });
      const after = await this.#command('GET', `/session/${this.#session}/window/handles`);
      return after.find((h) => !before.has(h));
    });
    this.#windows.set(sessionId, { name, handle });
  }

  isActive(sessionId) {
    return this.#windows.has(sessionId);
  }

  async getBrowserUrl(sessionId) {
    const { name } = this.#windows.get(sessionId) ?? {};
    if (!name) return undefined;
    return this.#execute(
      `try { return window.__wtrWindows[arguments[0]].location.href; } catch { return undefined; }`,
      [name],
    );
  }

  async stopSession(sessionId) {
    const { name } = this.#windows.get(sessionId) ?? {};
    this.#windows.delete(sessionId);
    if (name) {
      await this.#execute(
        `const opened = window.__wtrWindows?.[arguments[0]];
         delete window.__wtrWindows?.[arguments[0]];
         opened?.close();`,
        [name],
      ).catch(() => {});
    }
    return {};
  }

  async startDebugSession() {
    throw new Error('The WebKit launcher has no debug mode: run MiniBrowser by hand for that.');
  }

  /**
   * Presses keys in the test's window, for `sendKeys` of @web/test-runner-commands
   * (which calls this on launchers of type `webdriver`): they go to the focused element there.
   */
  async sendKeys(sessionId, keys) {
    const { handle } = this.#windows.get(sessionId) ?? {};
    if (!handle) throw new Error(`No window for test session ${sessionId}.`);
    const actions = keys.flatMap((key) => {
      const value = KEYS[key] ?? (key.length === 1 ? key : undefined);
      if (value === undefined) throw new Error(`sendKeys: the WebKit launcher does not know the key "${key}".`);
      return [{ type: 'keyDown', value }, { type: 'keyUp', value }];
    });
    const session = `/session/${this.#session}`;
    await this.#serially(async () => {
      await this.#command('POST', `${session}/window`, { handle });
      try {
        await this.#command('POST', `${session}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
        await this.#command('DELETE', `${session}/actions`);
      } finally {
        await this.#command('POST', `${session}/window`, { handle: this.#controlHandle });
      }
    });
  }

  /** Runs a script in the control window ([WebDriver] "Execute Script"). */
  async #execute(script, args = []) {
    return this.#serially(() => this.#command('POST', `/session/${this.#session}/execute/sync`, { script, args }));
  }

  #serially(task) {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #command(method, path, body) {
    const response = await fetch(this.#base + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WebDriverError(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    // [WebDriver] errors come as { value: { error, message, stacktrace } } with a 4xx/5xx status.
    if (!response.ok || parsed?.value?.error) {
      const { error = `HTTP ${response.status}`, message = '' } = parsed?.value ?? {};
      const tail = path === '/session' && this.#driverOutput ? `\n${this.#driverOutput.trim()}` : '';
      throw new WebDriverError(`${method} ${path}: ${error}: ${message}${tail}`);
    }
    return parsed.value;
  }
}

/** @param {{ binary: string, driverPath?: string, args?: string[], concurrency?: number }} options */
export function webkitLauncher(options) {
  return new WebKitLauncher(options);
}
