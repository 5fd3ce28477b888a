#!/usr/bin/env node
/**
 * Size budget check, run by `npm test` after the build. Budgets live in
 * package.json under "sizeBudgets", in bytes, as { "gzip": n, "brotli": m }
 * (either or both):
 *
 *   "dist/…"     a built file with every chunk it imports statically: what
 *                a page fetches for that entry before anything lazy
 *   "import: …"  an app's import, bundled as apps bundle it (scripts/size/paths.mjs)
 *   "page: …"    a plain HTML page in Chromium, every script it fetches
 *   "vite: …"    the packed package bundled by Vite in a scratch app: checked
 *                by test/node/package.test.ts, which needs `npm pack`; listed here
 *
 * A budget whose file or path is missing fails too: a renamed or dropped
 * output must not pass the check by no longer being measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureFile, measureImport, printTable, root } from './size/measure.mjs';
import { importPaths, pages } from './size/paths.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const budgets = pkg.sizeBudgets;
if (!budgets || typeof budgets !== 'object' || Object.keys(budgets).length === 0) {
  console.error('package.json has no "sizeBudgets": nothing to check.');
  process.exit(1);
}

async function measure(name) {
  if (name.startsWith('dist/')) return existsSync(join(root, name)) ? measureFile(name) : undefined;
  if (name in importPaths) return measureImport(importPaths[name]);
  if (name in pages) {
    // Loaded only here: the rest of the check needs no browser.
    const { measurePage } = await import('./size/measure-page.mjs');
    return measurePage(pages[name]);
  }
  return undefined;
}

const bytes = (n) => (n === undefined ? '—' : `${n.toLocaleString('en-US')} B`);
const rows = [['budgeted', 'files', 'raw', 'gzip', 'brotli', 'budget', 'used']];
let failed = 0;
for (const [name, budget] of Object.entries(budgets)) {
  if (name.startsWith('vite: ')) continue;
  const limits = typeof budget === 'number' ? { gzip: budget } : budget;
  const size = await measure(name);
  const over = size && ((limits.gzip !== undefined && size.gzip > limits.gzip) || (limits.brotli !== undefined && size.brotli > limits.brotli));
  if (!size || over) failed += 1;
  const limit = limits.brotli !== undefined ? ['brotli', limits.brotli] : ['gzip', limits.gzip];
  rows.push([
    name,
    size ? String(size.files.length) : '—',
    bytes(size?.raw),
    bytes(size?.gzip),
    bytes(size?.brotli),
    [limits.gzip !== undefined ? `gzip ${bytes(limits.gzip)}` : '', limits.brotli !== undefined ? `br ${bytes(limits.brotli)}` : ''].filter(Boolean).join(', '),
    !size ? 'MISSING' : over ? 'OVER' : `${Math.round((size[limit[0]] / limit[1]) * 100)}%`,
  ]);
}
printTable(rows);
if (failed > 0) {
  console.error(`\n${failed} of ${rows.length - 1} budgets over or unmeasured (run \`npm run build\` first; budgets in package.json "sizeBudgets", paths in scripts/size/paths.mjs).`);
  process.exit(1);
}
console.log(`\nAll ${rows.length - 1} within budget.`);
