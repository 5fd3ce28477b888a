/**
 * @web/test-runner: browser tests in Chromium, Firefox and WebKit (the
 * system's builds, found by scripts/find-browsers.mjs), against the real
 * reference server started here for the whole run. WebKit is WebKitGTK's
 * MiniBrowser, driven over W3C WebDriver by scripts/webkit-launcher.mjs.
 *
 * Run through `npm run test:browser` (scripts/run-browser-tests.mjs), or
 * directly: `npx wtr --config web-test-runner.config.mjs [--files …]`.
 * Fewer engines: `WTR_BROWSERS=chromium` (or `firefox`, `webkit`, or a list: `chromium,webkit`).
 * WebKit needs a display; run-browser-tests.mjs provides one with `xvfb-run -a`.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';
import { BROWSER_NAMES, CHROMIUM_FLAGS, findBrowser, findWebKitDriver } from './scripts/find-browsers.mjs';
import { minifyElementTemplates } from './scripts/minify-templates.mjs';
import { webkitLauncher } from './scripts/webkit-launcher.mjs';

const require = createRequire(import.meta.url);

// The harness is TypeScript that imports the server's sources: loaded through tsx so the
// browser tests run against the code in the tree, not a possibly stale dist/.
/** @type {typeof import('./test/support/harness.ts')} */
const { startHarness } = await tsImport('./test/support/harness.ts', import.meta.url);
const harness = await startHarness();
/** @type {typeof import('./test/support/framework-pages.ts')} */
const { buildFrameworkPages } = await tsImport('./test/support/framework-pages.ts', import.meta.url);
// Started now, while the browsers launch; served below, awaited by the first request.
const frameworkPages = buildFrameworkPages();

const wanted = (process.env.WTR_BROWSERS ?? BROWSER_NAMES.join(',')).split(',').map((name) => name.trim()).filter(Boolean);

function launcher(name) {
  const executablePath = findBrowser(name);
  if (!executablePath) {
    const variable = { chromium: 'CHROMIUM_PATH', firefox: 'FIREFOX_PATH', webkit: 'MINIBROWSER_PATH' }[name] ?? 'WTR_BROWSERS';
    throw new Error(`No ${name} found: run \`node scripts/find-browsers.mjs --install\`, or set ${variable}.`);
  }
  if (name === 'webkit') {
    const driverPath = findWebKitDriver();
    if (!driverPath) throw new Error('No WebKitWebDriver found: `apt-get install webkit2gtk-driver`, or set WEBKIT_WEBDRIVER_PATH.');
    return webkitLauncher({ binary: executablePath, driverPath });
  }
  // acceptInsecureCerts: the nginx tests' self-signed certificate (made per run) is accepted through the
  // automation session, one setting for every engine (WebKit: scripts/webkit-launcher.mjs), instead of a Chromium-only flag and a
  // Firefox profile edit. Every other test uses plain http, so nothing else depends on it.
  if (name === 'chromium') {
    return chromeLauncher({ launchOptions: { executablePath, headless: true, args: [...CHROMIUM_FLAGS], acceptInsecureCerts: true } });
  }
  // Firefox through puppeteer's WebDriver BiDi support: no geckodriver needed.
  return chromeLauncher({ puppeteer: puppeteerCore, launchOptions: { browser: 'firefox', executablePath, headless: true, acceptInsecureCerts: true } });
}

const mockServiceWorker = require.resolve('msw/mockServiceWorker.js');

/**
 * The elements' templates minified as the production build ships them, so
 * every component test renders what users get, not the source's spacing.
 */
function shippedTemplates() {
  const minify = minifyElementTemplates();
  const rollupContext = {
    error: (message) => {
      throw new Error(message);
    },
    warn: () => {},
  };
  return {
    name: 'shipped-templates',
    async transform(context) {
      if (!context.path.startsWith('/components/') || !context.path.endsWith('.ts')) return undefined;
      const result = await minify.transform.call(rollupContext, context.body, join(process.cwd(), context.path));
      return result ? { body: result.code } : undefined;
    },
  };
}

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  rootDir: '.',
  files: ['test/browser/**/*.test.ts', 'components/**/*.test.ts'],
  nodeResolve: {
    // Without 'browser', msw resolves to its Node build; 'development' picks dev builds (Lit's warnings).
    exportConditions: ['browser', 'development'],
  },
  browsers: wanted.map(launcher),
  // All engines at once (the default is two, which queues the third behind the first to finish); each
  // still runs its files with the default concurrency.
  concurrentBrowsers: 3,
  // The 30 s default is tight for a first Firefox start on a loaded 2-core CI box; the finish
  // timeout covers all files of one browser, and grows with the client's test suite.
  browserStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  testFramework: {
    config: { timeout: 5000 },
  },
  plugins: [
    shippedTemplates(),
    esbuildPlugin({ ts: true, target: 'es2022', define: { __DEV__: 'true' } }),
    {
      name: 'cometkit-harness',
      // Stopped with the runner, so a watch-mode restart or a Ctrl-C leaves no server behind.
      async serverStop() {
        await harness.close();
        await frameworkPages.close();
      },
    },
  ],
  middleware: [
    // The one-line worker file a site hosts when cometkit comes from a CDN, on the test page's origin;
    // the "CDN" is the harness's other origin, known only once it listens (test/browser/hub/hosts.test.ts).
    function trampolineWorker(context, next) {
      if (context.path !== '/__cometkit__/trampoline-worker.js') return next();
      context.type = 'application/javascript';
      context.set('Cache-Control', 'no-store');
      context.body = `import '${harness.url}/dist/worker.js';\n`;
      return undefined;
    },
    // The React and Vue pages built from demo/ (test/browser/frameworks.test.ts opens them in iframes).
    async function frameworkPagesFiles(context, next) {
      if (!context.path.startsWith('/__frameworks__/')) return next();
      context.set('Cache-Control', 'no-store');
      try {
        const file = await frameworkPages.file(decodeURIComponent(context.path.slice('/__frameworks__/'.length)));
        if (!file) return next();
        context.type = file.type;
        context.body = file.body;
      } catch (error) {
        context.status = 500;
        context.type = 'text/plain; charset=utf-8';
        context.body = `The framework pages did not build: ${error instanceof Error ? error.message : String(error)}`;
      }
      return undefined;
    },
    // msw's worker must be served from the root so its scope covers the test pages.
    function mockServiceWorkerScript(context, next) {
      if (context.path !== '/mockServiceWorker.js') return next();
      context.type = 'application/javascript';
      context.set('Cache-Control', 'no-store');
      context.body = createReadStream(mockServiceWorker);
      return undefined;
    },
  ],
  testRunnerHtml: (testFramework) => `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <script>window.__COMET_TEST__ = ${JSON.stringify({ url: harness.url })};</script>
  </head>
  <body>
    <script type="module" src="${testFramework}"></script>
  </body>
</html>`,
};
