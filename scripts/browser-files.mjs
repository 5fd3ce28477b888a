#!/usr/bin/env node
/**
 * After the build: the files a page loads with a script tag, each with a
 * content-hashed alias and its Subresource Integrity hash, written to
 * dist/browser-files.json (read by the reference server, which serves them
 * under `{basePath}/cometkit/`) and printed, so the values can go into a
 * page's `<script integrity>`.
 *
 * The autoloader's modules (dist/autoload/<build>/) are already in a folder
 * named by the build.
 *
 * Beside every one of these files go a brotli (`.br`, quality 11) and a gzip
 * (`.gz`, level 9) copy, made once here rather than per request: the server
 * sends the one the browser accepts (server/static/browser-files.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
/** Loaded by name from a script tag or an `import`: aliased under a content hash. */
const ENTRY_FILES = ['cometkit-autoload.js', 'cometkit.iife.js', 'eventsource-polyfill.js', 'worker.js'];

const files = {};
for (const name of ENTRY_FILES) {
  const bytes = readFileSync(join(dist, name));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
  files[name] = {
    hashed: name.replace(/\.js$/, `.${hash}.js`),
    integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
  };
}
// `<build>/<module>.js`, the path the loader asks for below `autoload/`.
const autoload = readdirSync(join(dist, 'autoload'), { recursive: true })
  .map((name) => name.split(sep).join('/'))
  .filter((name) => name.endsWith('.js'))
  .sort();
writeFileSync(join(dist, 'browser-files.json'), `${JSON.stringify({ files, autoload }, null, 2)}\n`);

for (const name of [...ENTRY_FILES, ...autoload.map((module) => `autoload/${module}`)]) {
  const bytes = readFileSync(join(dist, name));
  writeFileSync(
    join(dist, `${name}.br`),
    brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
  );
  writeFileSync(join(dist, `${name}.gz`), gzipSync(bytes, { level: 9 }));
}

if (!process.argv.includes('--quiet')) {
  console.log('Browser files (served by the reference server under {basePath}/cometkit/):');
  for (const [name, { hashed, integrity }] of Object.entries(files)) console.log(`  ${hashed.padEnd(38)} integrity="${integrity}"`);
}
