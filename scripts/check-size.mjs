#!/usr/bin/env node
/**
 * Size budget check, run by `npm test` after the build. Budgets live in
 * package.json under "sizeBudgets": { "dist/file.js": <max gzip bytes> },
 * or { "gzip": n, "brotli": m } to bound both. The built files are already
 * minified, so their gzip size is the "min+gzip" size users download.
 *
 * An ESM entry is measured with every chunk it imports statically: a
 * facade that re-exports from a shared chunk is tiny, but what a user
 * downloads is the whole graph. Dynamic imports (the polyfill) are not
 * followed: browsers that do not need them never fetch them.
 *
 * A budgeted file that is missing fails too: a renamed or dropped output
 * must not pass the check by no longer being measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const budgets = pkg.sizeBudgets;
if (!budgets || typeof budgets !== 'object' || Object.keys(budgets).length === 0) {
  console.error('package.json has no "sizeBudgets": nothing to check.');
  process.exit(1);
}

/** The file and every file it imports statically (relative specifiers), each once. */
function staticGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // `from"./x.js"` and bare `import"./x.js"`; `import("./x.js")` is dynamic and skipped.
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g)) visit(resolve(dirname(file), match[1]));
  };
  visit(entry);
  return [...seen];
}

// Bytes, like the budgets in package.json, so the two compare at a glance.
const kb = (bytes) => (bytes === undefined ? '—' : `${bytes.toLocaleString('en-US')} B`);
const rows = [];
let failed = 0;
for (const [file, budget] of Object.entries(budgets)) {
  const limits = typeof budget === 'number' ? { gzip: budget } : budget;
  const path = join(root, file);
  if (!existsSync(path)) {
    rows.push({ file, raw: undefined, gzip: undefined, brotli: undefined, limits, status: 'MISSING' });
    failed += 1;
    continue;
  }
  const files = staticGraph(path);
  const content = Buffer.concat(files.map((f) => readFileSync(f)));
  // Maximum levels: what a CDN or a precompressing build serves.
  const gzip = gzipSync(content, { level: 9 }).length;
  const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const over = (limits.gzip !== undefined && gzip > limits.gzip) || (limits.brotli !== undefined && brotli > limits.brotli);
  if (over) failed += 1;
  rows.push({ file: files.length > 1 ? `${file} (+${files.length - 1} chunk${files.length > 2 ? 's' : ''})` : file, raw: content.length, gzip, brotli, limits, status: over ? 'OVER' : 'ok' });
}

const table = [
  ['file', 'raw', 'gzip', 'brotli', 'budget', 'used'],
  ...rows.map((r) => [
    r.file,
    kb(r.raw),
    kb(r.gzip),
    kb(r.brotli),
    [r.limits.gzip !== undefined ? `gzip ${kb(r.limits.gzip)}` : '', r.limits.brotli !== undefined ? `br ${kb(r.limits.brotli)}` : '']
      .filter(Boolean)
      .join(', '),
    r.status === 'ok' && r.limits.gzip !== undefined ? `${Math.round((r.gzip / r.limits.gzip) * 100)}%` : r.status,
  ]),
];
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
for (const [index, row] of table.entries()) {
  console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
if (failed > 0) {
  console.error(`\n${failed} of ${rows.length} files over budget or missing (run \`npm run build\` first; budgets in package.json "sizeBudgets").`);
  process.exit(1);
}
console.log(`\nAll ${rows.length} files within budget.`);
