#!/usr/bin/env node
/**
 * Finds the Chromium and Firefox the browser tests and benchmarks drive.
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

/** @typedef {'chromium' | 'firefox'} BrowserName */
/** @typedef {{ chromium?: string, firefox?: string }} FoundBrowsers */

/** Variables that name a browser explicitly, checked first, in this order. */
const ENV_VARS = {
  chromium: ['CHROME_PATH', 'CHROMIUM_PATH'],
  firefox: ['FIREFOX_PATH'],
};

/** Debian's package for each browser: the ones CI installs. */
const APT_PACKAGES = { chromium: 'chromium', firefox: 'firefox-esr' };

/** Commands looked up on PATH after the well-known absolute paths. */
const COMMANDS = {
  chromium: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'],
  firefox: ['firefox-esr', 'firefox'],
};

function knownPaths(name, platform, env) {
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
 * Looks for one browser. An explicit variable that points nowhere is an
 * error rather than a silent fallback: whoever set it meant that binary.
 * @param {BrowserName} name
 * @returns {string | undefined}
 */
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
 * Finds both browsers without installing anything.
 * @returns {Promise<FoundBrowsers>}
 */
export async function findBrowsers(options = {}) {
  /** @type {FoundBrowsers} */
  const found = {};
  for (const name of /** @type {BrowserName[]} */ (['chromium', 'firefox'])) {
    const path = findBrowser(name, options);
    if (path) found[name] = path;
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
  const what = missing.map((name) => (name === 'chromium' ? 'Chromium (or Chrome)' : 'Firefox')).join(' and ');
  const how =
    platform === 'linux'
      ? `apt-get install -y ${missing.map((name) => APT_PACKAGES[name]).join(' ')}`
      : platform === 'darwin'
        ? `brew install --cask ${missing.map((name) => (name === 'chromium' ? 'chromium' : 'firefox')).join(' ')}`
        : 'the official installers';
  return `Browser tests need ${what}: install with \`${how}\`, or set ${vars} to the executable.`;
}

/**
 * Finds the browsers named in `need`; installs missing ones with apt-get
 * when running as root on a system that has it (CI), and otherwise
 * throws an Error whose message is the one line to show.
 * @param {BrowserName[]} need
 * @returns {Promise<Required<FoundBrowsers>>}
 */
export async function ensureBrowsers(need = ['chromium', 'firefox'], { install = true } = {}) {
  let found = await findBrowsers();
  let missing = need.filter((name) => !found[name]);
  if (missing.length > 0 && install && canInstallWithApt()) {
    console.log(`Installing ${missing.map((name) => APT_PACKAGES[name]).join(' ')} for the browser tests.`);
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', ...missing.map((name) => APT_PACKAGES[name])]);
    found = await findBrowsers();
    missing = need.filter((name) => !found[name]);
  }
  if (missing.length > 0) throw new Error(missingMessage(missing));
  return /** @type {Required<FoundBrowsers>} */ (found);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const found = await ensureBrowsers(['chromium', 'firefox'], { install: process.argv.includes('--install') });
    for (const [name, path] of Object.entries(found)) console.log(`${name}: ${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
