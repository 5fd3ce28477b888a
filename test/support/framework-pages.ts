/**
 * The React and Vue pages of demo/ and of test/pages/bindings/ (under
 * `bindings/`), built with Vite (demo/vite.config.mjs, from the sources)
 * once per browser-test run into a temporary folder, for
 * the test runner to serve on the test page's own origin: a test opens them
 * in same-origin iframes and reads what they show. The build starts with the
 * run, while the browsers launch; nothing is kept for the next run.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export interface FrameworkPages {
  /** A built file by its path under the build (`react/index.html`); undefined when there is none. Waits for the build; rejects when it failed. */
  file(path: string): Promise<{ readonly body: Buffer; readonly type: string } | undefined>;
  /** Resolves to the build's time in ms, once built; rejects with Vite's error. */
  readonly built: Promise<number>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function buildFrameworkPages(): FrameworkPages {
  const started = performance.now();
  const folder = mkdtemp(join(tmpdir(), 'cometkit-framework-pages-'));
  const configFile = fileURLToPath(new URL('../../demo/vite.config.mjs', import.meta.url));
  const built = folder.then(async (outDir) => {
    await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    // The hooks' and composables' test pages (test/pages/bindings/), laid out like the demo's: the same inputs from another root.
    // React's development build: StrictMode mounts, unmounts and mounts again only there.
    await build({
      configFile,
      mode: 'development',
      define: { 'process.env.NODE_ENV': '"development"' },
      root: fileURLToPath(new URL('../pages/bindings/', import.meta.url)),
      logLevel: 'error',
      build: { outDir: join(outDir, 'bindings'), emptyOutDir: true },
    });
    // The same React page on React 18 (the `react18`/`react-dom18` aliases): the peer range says ^18 too, and
    // 18's StrictMode runs effects twice as 19's does. Every `react` and `react-dom` import, the hooks' and
    // react-dom's own included, is pointed at the 18 copies, so the page holds one React, of version 18.
    // Its input by absolute path: the alias would take `react/index.html` for a file of the package.
    await build({
      configFile,
      mode: 'development',
      define: { 'process.env.NODE_ENV': '"development"' },
      root: fileURLToPath(new URL('../pages/bindings/', import.meta.url)),
      resolve: {
        alias: [
          { find: /^react(?=\/|$)/, replacement: 'react18' },
          { find: /^react-dom(?=\/|$)/, replacement: 'react-dom18' },
        ],
      },
      logLevel: 'error',
      build: { outDir: join(outDir, 'bindings-react18'), emptyOutDir: true, rollupOptions: { input: { react: fileURLToPath(new URL('../pages/bindings/react/index.html', import.meta.url)) } } },
    });
    return performance.now() - started;
  });
  // Reported by the requests that wait for it; not an unhandled rejection before the first one.
  built.catch(() => {});
  return {
    built,
    async file(path) {
      await built;
      const outDir = await folder;
      const file = resolve(outDir, `.${sep}${path}`);
      if (!file.startsWith(outDir + sep) || !(await stat(file).catch(() => undefined))?.isFile()) return undefined;
      return { body: await readFile(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
    },
    async close() {
      await built.catch(() => {});
      await rm(await folder, { recursive: true, force: true });
    },
  };
}
