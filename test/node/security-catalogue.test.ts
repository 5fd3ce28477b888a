/**
 * SECURITY.md's bad-input catalogue is only worth what its tests prove:
 * every row must name a test that exists, in a file `npm test` runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkRows, readCatalogue, testTitles } from '../support/security-catalogue.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const MIN_ROWS = 80;
const MIN_BROWSER_ROWS = 25;

describe('SECURITY.md bad-input catalogue', () => {
  const { rows, problems } = readCatalogue(readFileSync(join(root, 'SECURITY.md'), 'utf8'));

  it('names, in every row, a test that exists in a file npm test runs', () => {
    assert.deepEqual([...problems, ...checkRows(rows, root)], []);
  });

  it('has at least 25 rows for the browser', () => {
    assert.ok(rows.filter((row) => row.section === 'Browser').length >= MIN_BROWSER_ROWS, `fewer than ${MIN_BROWSER_ROWS} Browser rows`);
  });

  it('has at least 80 rows in all', () => {
    assert.ok(rows.length >= MIN_ROWS, `the catalogue has ${rows.length} rows, fewer than ${MIN_ROWS}`);
  });

  it('catches a row whose file or test does not exist, a bad cell, and a number repeated within a section', () => {
    const markdown = [
      '## Bad-input catalogue',
      '### Browser',
      '| # | input | answer | test |',
      '|---|---|---|---|',
      '| 1 | a | b | test/node/security-catalogue.test.ts › has at least 80 rows in all |',
      '| 2 | a | b | test/node/security-catalogue.test.ts › no such test |',
      '| 3 | a | b | test/node/missing.test.ts › anything |',
      '| 3 | a | b | SECURITY.md › anything |',
      '| 5 | a \\| pipe | b | no separator here |',
      '## Limits',
      '| # | input | answer | test |',
      '|---|---|---|---|',
      '| 6 | outside the catalogue | b | nowhere › at all |',
    ].join('\n');
    const read = readCatalogue(markdown);
    assert.equal(read.rows.length, 4);
    assert.equal(read.rows[0]!.section, 'Browser');
    assert.match(read.problems.join('\n'), /:9: the test cell must read/);
    const found = checkRows(read.rows, root);
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(found[0]!, /\(#2\): test\/node\/security-catalogue\.test\.ts has no test titled "no such test"/);
    assert.match(found[1]!, /\(#3\): test\/node\/missing\.test\.ts does not exist/);
    assert.match(found[2]!, /\(#3\): number 3 is already used in Browser on line 7/);
    assert.match(found[3]!, /SECURITY\.md is not a test file/);
  });

  it('reads test titles in any quoting, escapes undone, skipped tests left out', () => {
    const source = [
      `it('a tab\\'s own port', () => {});`,
      `it("double \\"quoted\\"", async () => {});`,
      'test(`template`, () => {});',
      'it(`with ${name}`, () => {});',
      // Source text fed to the parser, not a test of ours: a skipped test must not count as proof of a row.
      `it.skip('skipped', () => {});`,
      `describe('a suite', () => {});`,
      `  it(\n    'on its own line',\n    () => {},\n  );`,
    ].join('\n');
    assert.deepEqual([...testTitles(source)].sort(), ['a tab\'s own port', 'double "quoted"', 'on its own line', 'template']);
  });
});
