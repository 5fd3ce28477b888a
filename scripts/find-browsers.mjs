#!/usr/bin/env node
/**
 * Finds the browsers the browser tests and benchmarks drive: Chromium,
 * Firefox, and WebKit (WebKitGTK's MiniBrowser, with `WebKitWebDriver` to
 * drive it and `xvfb-run` to give it a display when there is none).
 *
 * Nothing here downloads a browser: tools that fetch their own builds
 * (playwright install, puppeteer's postinstall) cannot reach their hosts
 * from CI, so the tests use the system's browsers. On a Debian-like CI box
 * running as root they are installed with apt-get; anywhere else the user
 * is told, in one line, what to install or which variable to set.
 *
 *   node scripts/find-browsers.mjs            prints what it found, exits 1 if anything is missing
 *   node scripts/find-browsers.mjs --install  installs what is missing first (root + apt-get only)
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {'chromium' | 'firefox' | 'webkit'} BrowserName */
/** @typedef {{ chromium?: string, firefox?: string, webkit?: string }} FoundBrowsers */

export const BROWSER_NAMES = Object.freeze(/** @type {BrowserName[]} */ (['chromium', 'firefox', 'webkit']));

/** Variables that name a browser explicitly, checked first, in this order. */
const ENV_VARS = {
  chromium: ['CHROME_PATH', 'CHROMIUM_PATH'],
  firefox: ['FIREFOX_PATH'],
  webkit: ['MINIBROWSER_PATH'],
};

/**
 * Debian's packages for each browser: the ones CI installs. MiniBrowser comes
 * with the driver package; it needs a display (Xvfb, with xauth for
 * xvfb-run) and Mesa's software GL.
 */
const APT_PACKAGES = {
  chromium: ['chromium'],
  firefox: ['firefox-esr'],
  webkit: ['webkit2gtk-driver', 'xvfb', 'xauth', 'libgl1-mesa-dri'],
};

/** Commands looked up on PATH after the well-known absolute paths. */
const COMMANDS = {
  chromium: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'],
  firefox: ['firefox-esr', 'firefox'],
  // MiniBrowser is not on PATH in any distribution: it lives with the WebKitGTK library.
  webkit: [],
};

/** Where distributions put WebKitGTK's MiniBrowser (Debian/Ubuntu multiarch, Fedora/Arch libexec). */
const MINIBROWSER_PATHS = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].flatMap((arch) =>
  ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'].map((api) => `/usr/lib/${arch}/${api}/MiniBrowser`),
).concat(['/usr/libexec/webkit2gtk-4.1/MiniBrowser', '/usr/libexec/webkitgtk-6.0/MiniBrowser', '/usr/lib/webkit2gtk-4.1/MiniBrowser']);

function knownPaths(name, platform, env) {
  // WebKitGTK is a Linux build; Safari on macOS would need safaridriver, which the tests do not drive.
  if (name === 'webkit') return platform === 'linux' ? MINIBROWSER_PATHS : [];
  if (platform === 'darwin') {
    const home = env.HOME ?? '';
    const apps = ['/Applications', join(home, 'Applications')];
    const bundles =
      name === 'chromium'
        ? ['Chromium.app/Contents/MacOS/Chromium', 'Google Chrome.app/Contents/MacOS/Google Chrome']
        : ['Firefox.app/Contents/MacOS/firefox', 'Firefox ESR.app/Contents/MacOS/firefox'];
    return apps.flatMap((dir) => bundles.map((bundle) => join(dir, bundle)));
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(Boolean);
    const tails =
      name === 'chromium'
        ? ['Chromium\\Application\\chrome.exe', 'Google\\Chrome\\Application\\chrome.exe']
        : ['Mozilla Firefox\\firefox.exe', 'Firefox ESR\\firefox.exe'];
    return roots.flatMap((root) => tails.map((tail) => `${root}\\${tail}`));
  }
  // Debian first: those are the packages CI installs. Snap wrappers last, they need a session bus.
  return name === 'chromium'
    ? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/snap/bin/chromium']
    : ['/usr/bin/firefox-esr', '/usr/bin/firefox', '/snap/bin/firefox'];
}

function isExecutable(path, platform) {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, platform, env) {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = platform === 'win32' ? [`${command}.exe`] : [command];
  for (const dir of dirs) for (const name of names) if (isExecutable(join(dir, name), platform)) return join(dir, name);
  return undefined;
}

/**
 * Headless Chromium flags for tests and benchmarks. `--no-sandbox` is required as
 * root (CI) and harmless in a throwaway profile; the network flags stop Chromium
 * calling home on a closed network; the background flags keep timers in pages
 * that are not in front from being throttled, which would fake liveness timeouts
 * in tests and skew latency in benchmarks.
 */
export const CHROMIUM_FLAGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]);

/**
 * Looks for one browser. An explicit variable that points nowhere is an
 * error rather than a silent fallback: whoever set it meant that binary.
 * @param {BrowserName} name
 * @returns {string | undefined}
 */
export function findBrowser(name, { env = process.env, platform = process.platform } = {}) {
  for (const variable of ENV_VARS[name]) {
    const value = env[variable];
    if (!value) continue;
    if (isExecutable(value, platform)) return value;
    throw new Error(`${variable}=${value} is not an executable file; fix or unset it.`);
  }
  for (const path of knownPaths(name, platform, env)) if (isExecutable(path, platform)) return path;
  for (const command of COMMANDS[name]) {
    const path = onPath(command, platform, env);
    if (path) return path;
  }
  return undefined;
}

/**
 * `WebKitWebDriver`, which starts and drives MiniBrowser (`WEBKIT_WEBDRIVER_PATH`
 * names it explicitly).
 * @returns {string | undefined}
 */
export function findWebKitDriver({ env = process.env, platform = process.platform } = {}) {
  const value = env.WEBKIT_WEBDRIVER_PATH;
  if (value) {
    if (isExecutable(value, platform)) return value;
    throw new Error(`WEBKIT_WEBDRIVER_PATH=${value} is not an executable file; fix or unset it.`);
  }
  if (isExecutable('/usr/bin/WebKitWebDriver', platform)) return '/usr/bin/WebKitWebDriver';
  return onPath('WebKitWebDriver', platform, env);
}

/** `xvfb-run`, for a WebKit run without a display. */
export function findXvfbRun({ env = process.env, platform = process.platform } = {}) {
  return onPath('xvfb-run', platform, env);
}

/**
 * Finds the browsers without installing anything. WebKit counts as found
 * only with its driver, and with `xvfb-run` unless there is a display.
 * @returns {Promise<FoundBrowsers>}
 */
export async function findBrowsers(options = {}) {
  /** @type {FoundBrowsers} */
  const found = {};
  const env = options.env ?? process.env;
  for (const name of BROWSER_NAMES) {
    const path = findBrowser(name, options);
    if (!path) continue;
    if (name === 'webkit' && (!findWebKitDriver(options) || (!env.DISPLAY && !env.WAYLAND_DISPLAY && !findXvfbRun(options)))) continue;
    found[name] = path;
  }
  return found;
}

function canInstallWithApt() {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}).`);
}

/** The one line a person needs when a browser is missing. */
export function missingMessage(missing, platform = process.platform) {
  const vars = missing.map((name) => ENV_VARS[name].join(' or ')).join(', ');
  const label = { chromium: 'Chromium (or Chrome)', firefox: 'Firefox', webkit: 'WebKit (WebKitGTK MiniBrowser with WebKitWebDriver, and Xvfb without a display)' };
  const what = missing.map((name) => label[name]).join(' and ');
  const how =
    platform === 'linux'
      ? `apt-get install -y ${missing.flatMap((name) => APT_PACKAGES[name]).join(' ')}`
      : missing.includes('webkit')
        ? 'a Linux machine for WebKit (WebKitGTK), or leave it out with WTR_BROWSERS=chromium,firefox'
        : platform === 'darwin'
          ? `brew install --cask ${missing.map((name) => (name === 'chromium' ? 'chromium' : 'firefox')).join(' ')}`
          : 'the official installers';
  const webkitVars = missing.includes('webkit') ? ' (and WEBKIT_WEBDRIVER_PATH for the driver)' : '';
  return `Browser tests need ${what}: install with \`${how}\`, or set ${vars} to the executable${webkitVars}.`;
}

/**
 * Finds the browsers named in `need`; installs missing ones with apt-get
 * when running as root on a system that has it (CI), and otherwise
 * throws an Error whose message is the one line to show.
 * @param {BrowserName[]} need
 * @returns {Promise<Required<FoundBrowsers>>}
 */
export async function ensureBrowsers(need = BROWSER_NAMES, { install = true } = {}) {
  let found = await findBrowsers();
  let missing = need.filter((name) => !found[name]);
  if (missing.length > 0 && install && canInstallWithApt()) {
    const packages = missing.flatMap((name) => APT_PACKAGES[name]);
    console.log(`Installing ${packages.join(' ')} for the browser tests.`);
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...packages]);
    found = await findBrowsers();
    missing = need.filter((name) => !found[name]);
  }
  if (missing.length > 0) throw new Error(missingMessage(missing));
  return /** @type {Required<FoundBrowsers>} */ (found);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const found = await ensureBrowsers(BROWSER_NAMES, { install: process.argv.includes('--install') });
    for (const [name, path] of Object.entries(found)) console.log(`${name}: ${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
