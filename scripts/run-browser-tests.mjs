#!/usr/bin/env node
/**
 * `npm run test:browser`: makes sure Chromium and Firefox are there (see
 * find-browsers.mjs), then runs @web/test-runner with the project config.
 * Extra arguments go to the runner: `npm run test:browser -- --files test/browser/client.test.ts`.
 * `WTR_BROWSERS=chromium` limits the run to one engine.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBrowsers } from './find-browsers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = (process.env.WTR_BROWSERS ?? 'chromium,firefox').split(',').map((name) => name.trim()).filter(Boolean);
const unknown = wanted.filter((name) => name !== 'chromium' && name !== 'firefox');
if (unknown.length > 0) {
  console.error(`WTR_BROWSERS names unknown engines: ${unknown.join(', ')} (use chromium, firefox).`);
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
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'node_modules/@web/test-runner/dist/bin.js'), '--config', join(root, 'web-test-runner.config.mjs'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Pin what was found (or just installed), so the config cannot pick another binary.
      ...(browsers.chromium ? { CHROME_PATH: browsers.chromium } : {}),
      ...(browsers.firefox ? { FIREFOX_PATH: browsers.firefox } : {}),
    },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
