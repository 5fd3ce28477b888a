/**
 * Warnings with codes (`warn()` in src/dev.ts) are for the development
 * build: each is in dist/dev/, none is in what a production page downloads,
 * and each is listed in the README. The codes are read from the sources;
 * the first test pins the list, so a scan that finds nothing cannot pass
 * (a new warning adds its code there). Needs the build
 * (`npm test` builds before the Node tests).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter(keep);
}

const codes = [
  ...new Set(
    files('src', (path) => path.endsWith('.ts'))
      .concat(files('components', (path) => path.endsWith('.ts') && !path.endsWith('.test.ts')))
      .flatMap((path) => [...readFileSync(join(root, path), 'utf8').matchAll(/\bwarn\(\s*'([a-z-]+)'/g)].map((match) => match[1]!)),
  ),
];

// The browser's JavaScript only: the Node server, the types and the source maps (which quote the sources) are not downloaded to run a page.
const built = files('dist', (path) => path.endsWith('.js') && !/^dist\/(server|types)\//.test(path));
const development = built.filter((path) => path.startsWith('dist/dev/'));
const production = built.filter((path) => !path.startsWith('dist/dev/'));
const text = (paths: readonly string[]): string => paths.map((path) => readFileSync(join(root, path), 'utf8')).join('\n');

describe('development-build warnings', () => {
  it('are the ones the sources give warn()', () => {
    assert.deepEqual([...codes].sort(), ['configure-replaced', 'default-client-ambiguous', 'element-defined-twice', 'hub-options-ignored', 'misconfigured', 'no-client']);
  });

  it('are in the development build, each with its code', () => {
    assert.ok(development.length > 0, 'no dist/dev/: run npm run build');
    const dev = text(development);
    for (const code of codes) assert.ok(dev.includes(code), `${code} is missing from dist/dev/`);
    assert.ok(dev.includes('cometkit ['), 'the warning prefix is missing from dist/dev/');
  });

  it('are not in the production build, neither their codes nor their prefix', () => {
    assert.ok(production.some((path) => path === 'dist/cometkit.js') && production.some((path) => path === 'dist/worker.js'), 'no production build: run npm run build');
    for (const path of production) {
      const content = readFileSync(join(root, path), 'utf8');
      for (const code of codes) assert.ok(!content.includes(code), `${path} carries "${code}"`);
      assert.ok(!content.includes('cometkit ['), `${path} carries a warning`);
    }
  });

  it('are each listed in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const code of codes) assert.ok(readme.includes(`| \`${code}\` |`), `README lists no "${code}" warning`);
  });
});
