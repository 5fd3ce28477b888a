/**
 * What cometkit costs a page, next to other push libraries measured the
 * same way in the same run (scripts/size/): an app's import bundled with
 * esbuild (minified, code splitting on: lazily loaded chunks are listed
 * apart, not counted), a plain page with the script tag and one
 * `<comet-feed>` opened in Chromium (every script it fetches), and the
 * SharedWorker file. Each file compressed on its own, brotli q11 and gzip -9.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kib, measureFile, measureImport, printTable, root, type Measured } from '../scripts/size/measure.mjs';
import { measurePage } from '../scripts/size/measure-page.mjs';
import { importPaths, pages, peers } from '../scripts/size/paths.mjs';

function version(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

export default async function sizeBench(): Promise<void> {
  const rows: Array<[string, Measured, number]> = [];
  for (const [name, code] of Object.entries(importPaths)) {
    const measured = await measureImport(code);
    rows.push([`cometkit ${name}`, measured, measured.lazy.reduce((sum, f) => sum + f.brotli, 0)]);
  }
  for (const [name, html] of Object.entries(pages)) rows.push([`cometkit ${name}`, await measurePage(html), 0]);
  rows.push(['cometkit worker file (dist/worker.js)', measureFile('dist/worker.js'), 0]);
  for (const [name, code] of Object.entries(peers)) {
    const measured = await measureImport(code);
    rows.push([`${name} ${version(name)}`, measured, measured.lazy.reduce((sum, f) => sum + f.brotli, 0)]);
  }
  console.log('\n## Size: what a page downloads before it runs (lazy chunks apart)\n');
  printTable([
    ['what', 'files', 'min', 'gzip', 'brotli', 'may load later (brotli)'],
    ...rows.map(([name, m, lazy]) => [name, m.files.length, kib(m.raw), kib(m.gzip), kib(m.brotli), lazy ? kib(lazy) : '—']),
  ]);
}
