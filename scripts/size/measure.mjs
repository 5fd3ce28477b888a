/**
 * Sizes as a page pays them, shared by the size check (`npm test`) and the
 * size benchmark (`npm run bench -- size`).
 *
 * An import path is a few lines of user code bundled the way an app bundles
 * it: esbuild, minified, code splitting on, for the browser. What the page
 * downloads before the code runs is the entry chunk and every chunk it
 * imports statically; chunks behind a dynamic `import()` load later, only
 * where they are used, and are not counted. Each file is compressed on its
 * own (gzip -9, brotli q11), as a server or CDN sends it.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Compressed sizes of one file's bytes. */
export function compressed(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}

/** Sums per-file sizes: what a page downloads when it fetches each file. */
export function total(files) {
  return files.reduce((sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip, brotli: sum.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
}

/**
 * `cometkit` and `cometkit/…` resolve through this package's own `exports`
 * (the `default` condition: the production build), so the measured code is
 * the code the package ships, not the sources.
 */
function packageSelf() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return {
    name: 'cometkit-self',
    setup(builder) {
      builder.onResolve({ filter: /^cometkit(\/.*)?$/ }, (args) => {
        const subpath = args.path === 'cometkit' ? '.' : `.${args.path.slice('cometkit'.length)}`;
        const target = pkg.exports[subpath];
        const file = typeof target === 'string' ? target : target?.default;
        if (!file) return { errors: [{ text: `cometkit has no export "${subpath}"` }] };
        return { path: resolve(root, file) };
      });
    },
  };
}

/**
 * Bundles `code` (an ES module importing packages by name) and returns the
 * files fetched when it runs, before any dynamic import, with their sizes,
 * and (`lazy`) every file that may load later.
 */
export async function measureImport(code) {
  const dir = mkdtempSync(join(tmpdir(), 'cometkit-size-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(entry, code);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: join(dir, 'out'),
      write: false,
      metafile: true,
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: root,
      nodePaths: [join(root, 'node_modules')],
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [packageSelf()],
    });
    const outputs = result.metafile.outputs;
    const contents = new Map(result.outputFiles.map((file) => [resolve(root, file.path), file.contents]));
    const entryOutput = Object.keys(outputs).find((path) => outputs[path].entryPoint && resolve(root, outputs[path].entryPoint) === entry);
    if (!entryOutput) throw new Error('esbuild produced no entry chunk');
    const fetched = [];
    const lazy = new Set();
    const visit = (path) => {
      if (fetched.some((f) => f.path === path)) return;
      fetched.push({ path, ...compressed(contents.get(resolve(root, path))) });
      for (const imported of outputs[path].imports) {
        if (imported.external) continue;
        if (imported.kind === 'import-statement') visit(imported.path);
        else if (imported.kind === 'dynamic-import') lazy.add(imported.path);
      }
    };
    visit(entryOutput);
    // Everything that may load later, behind one dynamic import or more.
    const later = new Set();
    const reach = (path) => {
      if (later.has(path) || fetched.some((f) => f.path === path)) return;
      later.add(path);
      for (const imported of outputs[path].imports) if (!imported.external) reach(imported.path);
    };
    for (const path of lazy) reach(path);
    const lazyFiles = [...later].map((path) => ({ path, ...compressed(contents.get(resolve(root, path))) }));
    return { files: fetched, ...total(fetched), lazy: lazyFiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A built file and every file it imports statically (relative specifiers), each once, with sizes. */
export function measureFile(file) {
  const seen = [];
  const visit = (path) => {
    if (seen.some((f) => f.path === path)) return;
    const bytes = readFileSync(path);
    seen.push({ path, ...compressed(bytes) });
    // `from"./x.js"` and bare `import"./x.js"`; `import("./x.js")` is dynamic and skipped.
    for (const match of bytes.toString('utf8').matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g)) visit(resolve(dirname(path), match[1]));
  };
  visit(resolve(root, file));
  return { files: seen, ...total(seen) };
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Prints rows as an aligned text table; the first row is the header. */
export function printTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
