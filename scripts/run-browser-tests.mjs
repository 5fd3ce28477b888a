#!/usr/bin/env node
/**
 * `npm run test:browser`: makes sure Chromium, Firefox and WebKit are there
 * (see find-browsers.mjs), then runs @web/test-runner with the project config.
 * Extra arguments go to the runner: `npm run test:browser -- --files test/browser/client.test.ts`.
 * `WTR_BROWSERS=chromium` (or `firefox`, `webkit`, or a comma-separated list) limits the engines.
 *
 * MiniBrowser needs a display: without one, the runner runs under `xvfb-run -a`
 * (a free display number, so parallel runs on one machine do not collide).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_NAMES, ensureBrowsers, findWebKitDriver, findXvfbRun } from './find-browsers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = (process.env.WTR_BROWSERS ?? BROWSER_NAMES.join(',')).split(',').map((name) => name.trim()).filter(Boolean);
const unknown = wanted.filter((name) => !BROWSER_NAMES.includes(name));
if (unknown.length > 0) {
  console.error(`WTR_BROWSERS names unknown engines: ${unknown.join(', ')} (use ${BROWSER_NAMES.join(', ')}).`);
  process.exit(1);
}

let browsers;
try {
  browsers = await ensureBrowsers(wanted);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
for (const name of wanted) console.log(`${name}: ${browsers[name]}`);

// The config loads the TypeScript harness itself (tsx's tsImport), so plain node runs the CLI;
// --import tsx is added anyway so any .ts a plugin imports resolves the same way.
const runner = [
  process.execPath,
  '--import',
  'tsx',
  join(root, 'node_modules/@web/test-runner/dist/bin.js'),
  '--config',
  join(root, 'web-test-runner.config.mjs'),
  ...process.argv.slice(2),
];
const needsDisplay = wanted.includes('webkit') && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const command = needsDisplay ? [findXvfbRun(), '-a', ...runner] : runner;
const child = spawn(
  command[0],
  command.slice(1),
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Pin what was found (or just installed), so the config cannot pick another binary.
      ...(browsers.chromium ? { CHROME_PATH: browsers.chromium } : {}),
      ...(browsers.firefox ? { FIREFOX_PATH: browsers.firefox } : {}),
      ...(browsers.webkit ? { MINIBROWSER_PATH: browsers.webkit, WEBKIT_WEBDRIVER_PATH: findWebKitDriver() } : {}),
    },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
