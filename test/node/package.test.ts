/**
 * The package as users get it: `npm pack` of the built tree, installed into
 * a scratch app (dependencies from the npm cache), bundled with Vite,
 * every entry imported, type-checked with strict TypeScript, the SPA
 * import measured from Vite's bundle, and every entry imported in Node as
 * server-side rendering would. Needs the build (`npm test` builds first;
 * `npm pack` itself builds through `prepack`, skipped here for that reason).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';
import { scratchFiles } from '../package/scratch-app.js';
import { installPacked, pack, root, run, vite } from '../support/packed-package.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  sizeBudgets: Record<string, { brotli?: number }>;
};

describe('the packed package in a scratch app', () => {
  let dir: string;
  let packed: string[];
  /** What npm said while installing the tarball into the app. */
  let installWarnings = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cometkit-package-'));
    const packedPackage = pack(dir);
    packed = packedPackage.files;
    for (const [name, text] of Object.entries(scratchFiles)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    // lit named as an app on Lit names it: the package's peer, shared, not a second copy.
    installWarnings = installPacked(dir, packedPackage.filename, ['lit', '@types/node', 'vue']);
  });

  after(() => process.env['KEEP_SCRATCH'] ? console.log(dir) : rmSync(dir, { recursive: true, force: true }));

  it('builds in prepack and ships the build, its types and the elements manifest', () => {
    assert.match(pkg.scripts['prepack'] ?? '', /npm run build/);
    for (const file of ['dist/cometkit.js', 'dist/components.js', 'dist/react.js', 'dist/vue.js', 'dist/types/src/bindings/react.d.ts', 'dist/types/src/bindings/vue.d.ts', 'dist/worker.js', 'dist/cometkit.iife.js', 'dist/cometkit-autoload.js', 'dist/browser-files.json', 'dist/server/index.js', 'dist/types/src/index.d.ts', 'custom-elements.json', 'README.md', 'LICENSE', 'deploy/pushpin/pushpin.conf', 'deploy/pushpin/routes', 'deploy/nginx/cometkit.conf']) {
      assert.ok(packed.includes(file), `${file} is in the package`);
    }
    assert.ok(packed.some((file) => /^dist\/autoload\/[\w-]+\/comet-feed\.js$/.test(file)), 'the autoloaded element modules are in the package');
    for (const file of ['dist/cometkit-autoload.js', 'dist/cometkit.iife.js']) {
      for (const copy of [`${file}.br`, `${file}.gz`]) assert.ok(packed.includes(copy), `${copy}: the compressed copy the server sends`);
    }
    assert.ok(!packed.some((file) => file.startsWith('src/') || file.startsWith('test/')), 'no sources or tests');
  });

  it('installs into an app with one copy of Lit and without the server-only jose, @redis/client, web-push and prom-client', () => {
    const found: string[] = [];
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const path = join(folder, entry.name);
        if (existsSync(join(path, 'package.json')) && ['lit', 'jose', 'client', 'web-push', 'prom-client'].includes(entry.name)) {
          const name = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { name: string }).name;
          if (['lit', 'jose', '@redis/client', 'web-push', 'prom-client'].includes(name)) found.push(`${name} ${path.slice(dir.length + 1)}`);
        }
        walk(path);
      }
    };
    walk(join(dir, 'node_modules'));
    assert.deepEqual(found, ['lit node_modules/lit'], 'one Lit, at the top, and nothing of the server');
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/cometkit/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const range of [...Object.values(manifest.dependencies), ...Object.values(manifest.peerDependencies)]) assert.match(range, /^\^/, 'caret ranges an app can share');
    assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ['@redis/client', 'jose', 'lit', 'prom-client', 'react', 'vue', 'web-push']);
    for (const optional of ['jose', '@redis/client', 'prom-client', 'react', 'vue', 'web-push']) assert.equal(manifest.peerDependenciesMeta[optional]?.optional, true, `${optional} is optional`);
    assert.ok(existsSync(join(dir, 'node_modules/cometkit/LICENSE')), 'the LICENSE ships');
    // engines is about the runtime: what an app installs must fit the Node the package says it runs on.
    assert.doesNotMatch(installWarnings, /EBADENGINE|ERESOLVE|peer dep/i, installWarnings);
  });

  it('runs cometkit-server from the app\'s bin, and names the package a feature needs when it is missing', () => {
    const bin = join(dir, 'node_modules/.bin/cometkit-server');
    assert.match(run(bin, ['--help'], dir), /Usage: cometkit-server/);
    // --dev signs tokens: without jose it stops at once with one line that says what to install.
    let failure: { status?: number; stderr?: string } = {};
    try {
      run(bin, ['--dev', '--port', '0'], dir);
    } catch (error) {
      failure = error as typeof failure;
    }
    assert.equal(failure.status, 2);
    assert.equal((failure.stderr ?? '').trim(), 'cometkit-server: Tokens (tokenSecret, tokenPublicKey, tokenJwksUrl, signToken, cometkit-server --dev) needs the package "jose", which is not installed. Install it beside cometkit: npm install jose');
    failure = {};
    try {
      run(bin, ['--metrics', '--publish-key', 'k', '--port', '0'], dir);
    } catch (error) {
      failure = error as typeof failure;
    }
    assert.equal(failure.status, 2);
    assert.equal((failure.stderr ?? '').trim(), 'cometkit-server: Metrics (metrics option, COMET_METRICS=1, --metrics) needs the package "prom-client", which is not installed. Install it beside cometkit: npm install prom-client');
    const script = `
      const server = await import('cometkit/server');
      try { server.redisBroker({ url: 'redis://127.0.0.1:1' }); } catch (error) { console.log(error.message); }
      await server.signToken({ sub: 'ada' }, 'secret').catch((error) => console.log(error.message));
    `;
    const lines = run(process.execPath, ['--input-type=module', '-e', script], dir).trim().split('\n');
    assert.match(lines[0] ?? '', /needs the package "@redis\/client", which is not installed\. Install it beside cometkit: npm install @redis\/client$/);
    assert.match(lines[1] ?? '', /needs the package "jose", which is not installed\. Install it beside cometkit: npm install jose$/);
  });

  it('type-checks an app using every entry with strict TypeScript', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    assert.doesNotThrow(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir));
  });

  it('type-checks a Vue template against cometkit/vue with vue-tsc, the wrong uses failing', () => {
    // As scripts/typecheck-vue.mjs runs it: vue-tsc inside TypeScript 6's compiler (TypeScript 7 ships none in JavaScript).
    const script = `
      const { createRequire } = require('node:module');
      const local = createRequire(${JSON.stringify(join(root, 'package.json'))});
      const tsc = local.resolve('typescript6/lib/tsc');
      process.argv = [process.argv[0], tsc, '--noEmit', '-p', 'tsconfig.vue.json'];
      local('vue-tsc').run(tsc);
    `;
    assert.doesNotThrow(() => run(process.execPath, ['-e', script], dir));
    // The check bites: without the expected-error markers the two wrong uses fail it.
    const app = join(dir, 'src/App.vue');
    const text = readFileSync(app, 'utf8');
    writeFileSync(app, text.replaceAll('<!-- @vue-expect-error', '<!--'));
    try {
      assert.throws(() => run(process.execPath, ['-e', script], dir), (error: { stdout?: string }) => {
        const errors = (error.stdout ?? '').match(/error TS\d+/g) ?? [];
        assert.equal(errors.length, 2, error.stdout);
        return true;
      });
    } finally {
      writeFileSync(app, text);
    }
  });

  it('bundles every entry with Vite', () => {
    run(process.execPath, [vite, 'build', '--config', 'vite.config.mjs'], dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/.vite/manifest.json'), 'utf8')) as Record<string, { file: string; imports?: string[]; isEntry?: boolean }>;
    for (const entry of ['src/spa.ts', 'src/components.ts', 'src/worker.ts']) assert.equal(manifest[entry]?.isEntry, true, entry);
    // `import 'cometkit/components'` is for its side effect: the chunks that define the elements must survive tree shaking.
    const code: string[] = [];
    const visit = (key: string): void => {
      const chunk = manifest[key]!;
      code.push(readFileSync(join(dir, 'dist', chunk.file), 'utf8'));
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit('src/components.ts');
    assert.match(code.join('\n'), /customElements\.define\(/, 'the elements are defined');
  });

  it('bundles the SPA import alone with Vite within its budget', () => {
    // Alone: bundled with the other entries, code they share would land in the SPA's chunks.
    run(process.execPath, [vite, 'build', '--config', 'vite.config.mjs', '--outDir', 'dist-spa'], dir, { SCRATCH_ENTRIES: 'spa' });
    const manifest = JSON.parse(readFileSync(join(dir, 'dist-spa/.vite/manifest.json'), 'utf8')) as Record<string, { file: string; imports?: string[] }>;
    const fetched = new Set<string>();
    const visit = (key: string): void => {
      const chunk = manifest[key]!;
      if (fetched.has(chunk.file)) return;
      fetched.add(chunk.file);
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit('src/spa.ts');
    const brotli = [...fetched].reduce(
      (sum, file) => sum + brotliCompressSync(readFileSync(join(dir, 'dist-spa', file)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      0,
    );
    const budget = pkg.sizeBudgets['vite: createClient + subscribe']!.brotli!;
    console.log(`# Vite bundle, createClient + subscribe: ${brotli} B brotli in ${fetched.size} file(s) (budget ${budget} B)`);
    assert.ok(brotli <= budget, `${brotli} B brotli > ${budget} B`);

    // With no workerUrl, the SDK's `new SharedWorker(new URL(…, import.meta.url))` had Vite emit cometkit's worker as the app's
    // own file: the page then fetches the SharedWorker link, never the hub and SSE (they run in the worker, one per browser).
    const assets = readdirSync(join(dir, 'dist-spa/assets'));
    const worker = assets.find((file) => /^worker-[\w-]+\.js$/.test(file));
    assert.ok(worker, `Vite emitted the worker file (assets: ${JSON.stringify(assets)})`);
    assert.match(readFileSync(join(dir, 'dist-spa/assets', worker), 'utf8'), /onconnect/, 'the emitted worker is cometkit/worker');
    const link = Object.keys(manifest).find((key) => key.includes('/dist/chunks/shared-worker-host-'));
    assert.ok(link, 'the SharedWorker link is a chunk of its own');
    const withEntry = new Set(fetched);
    visit(link);
    const linkFiles = [...fetched].filter((file) => !withEntry.has(file));
    assert.ok(linkFiles.some((file) => readFileSync(join(dir, 'dist-spa', file), 'utf8').includes(`/assets/${worker}`)), 'the link starts the emitted worker');
    const sizeOf = (file: string): number => brotliCompressSync(readFileSync(join(dir, 'dist-spa', file)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const linkBytes = linkFiles.reduce((sum, file) => sum + sizeOf(file), 0);
    console.log(`# Vite bundle, a subscribing page with the SharedWorker: ${brotli + linkBytes} B brotli (entry ${brotli} B, the SharedWorker link ${linkBytes} B in ${linkFiles.length} file(s)); the worker file, once per browser: ${sizeOf(`assets/${worker}`)} B`);
  });

  it('imports every entry in Node, as server-side rendering does, without effect', () => {
    const script = `
      // The app's own Vue sets globals of its own as it loads (__VUE_SSR_SETTERS__…): loaded first, so only cometkit's would show.
      await import('vue');
      const before = Object.keys(globalThis).sort().join();
      const kit = await import('cometkit');
      await import('cometkit/components');
      await import('cometkit/worker');
      const vue = await import('cometkit/vue');
      if (typeof vue.useChannel !== 'function') throw new Error('missing cometkit/vue exports');
      const server = await import('cometkit/server');
      if (typeof kit.createClient !== 'function' || typeof server.createCometServer !== 'function') throw new Error('missing exports');
      console.log(JSON.stringify({ before, after: Object.keys(globalThis).sort().join() }));
    `;
    const output = run(process.execPath, ['--input-type=module', '-e', script], dir);
    const { before, after } = JSON.parse(output.trim().split('\n').at(-1)!) as { before: string; after: string };
    const added = after.split(',').filter((name) => !before.split(',').includes(name));
    // Lit's Node build installs its DOM shim (customElements, HTMLElement) for server rendering; cometkit adds nothing.
    assert.deepEqual(added.filter((name) => !['customElements', 'litServerRoot', 'litPropertyMetadata', 'litElementVersions', 'litHtmlVersions', 'reactiveElementVersions'].includes(name)), []);
  });
});
