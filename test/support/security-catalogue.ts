/**
 * Reads the bad-input catalogue of SECURITY.md and checks that every row
 * names a test that exists: rows are `| # | input | answer | test |`, the
 * test cell `path/to/file.test.ts › exact test title`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CatalogueRow {
  readonly section: string;
  /** 1-based line in the markdown, for messages. */
  readonly line: number;
  readonly number: string;
  readonly input: string;
  readonly answer: string;
  readonly file: string;
  readonly title: string;
}

const HEADER = /^\|\s*#\s*\|\s*input\s*\|\s*answer\s*\|\s*test\s*\|\s*$/i;
const SEPARATOR = /^\|(\s*:?-+:?\s*\|)+\s*$/;
const SEPARATOR_MARK = ' › ';
/** Where `npm test` looks for tests (see package.json and web-test-runner.config.mjs). */
const TEST_FILE = /^(test\/node\/[^/]+|test\/browser\/.+|components\/.+)\.test\.ts$/;

/** Splits a table row on unescaped pipes; `\|` stays a pipe inside a cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

const unquote = (text: string): string => text.replace(/^`(.*)`$/, '$1');

/** Every catalogue row under the `## Bad-input catalogue` heading, with the `###` section it sits in. */
export function readCatalogue(markdown: string): { rows: CatalogueRow[]; problems: string[] } {
  const rows: CatalogueRow[] = [];
  const problems: string[] = [];
  let inCatalogue = false;
  let section = '';
  let inTable = false;
  markdown.split('\n').forEach((text, index) => {
    const line = index + 1;
    if (/^## /.test(text)) {
      inCatalogue = /^## Bad-input catalogue\s*$/.test(text);
      inTable = false;
      return;
    }
    if (!inCatalogue) return;
    if (/^### /.test(text)) {
      section = text.slice(4).trim();
      inTable = false;
      return;
    }
    if (HEADER.test(text)) {
      inTable = true;
      return;
    }
    if (!inTable) return;
    if (!text.trim().startsWith('|')) {
      inTable = false;
      return;
    }
    if (SEPARATOR.test(text)) return;
    const row = cells(text);
    if (row.length !== 4) {
      problems.push(`SECURITY.md:${line}: a catalogue row needs 4 cells (# | input | answer | test), found ${row.length}`);
      return;
    }
    const [number, input, answer, test] = row as [string, string, string, string];
    const at = test.indexOf(SEPARATOR_MARK);
    if (at < 0) {
      problems.push(`SECURITY.md:${line}: the test cell must read "path/to/file.test.ts${SEPARATOR_MARK}test title", found "${test}"`);
      return;
    }
    rows.push({ section, line, number, input, answer, file: unquote(test.slice(0, at).trim()), title: unquote(test.slice(at + SEPARATOR_MARK.length).trim()) });
  });
  return { rows, problems };
}

/** Undoes the escapes a JavaScript string literal may hold. */
function unescapeLiteral(body: string): string {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[^])/g, (_, escape: string) => {
    if (escape.startsWith('u{')) return String.fromCodePoint(parseInt(escape.slice(2, -1), 16));
    if (/^[ux]/.test(escape) && escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', '0': '\0' }[escape] ?? escape;
  });
}

/**
 * Titles of the tests a file declares with `it(…)` or `test(…)` and a
 * string literal (template literals without `${}` too); skipped and todo
 * tests are not counted, since they prove nothing.
 */
export function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  const call = /\b(?:it|test)(\.only)?\(\s*(?:'((?:\\[^]|[^'\\])*)'|"((?:\\[^]|[^"\\])*)"|`((?:\\[^]|[^`\\$])*)`)\s*,/g;
  for (const match of source.matchAll(call)) titles.add(unescapeLiteral(match[2] ?? match[3] ?? match[4] ?? ''));
  return titles;
}

/** What is wrong with the rows: a file that is not a test `npm test` runs, or that lacks the named test; a number repeated within a section. */
export function checkRows(rows: readonly CatalogueRow[], root: string): string[] {
  const problems: string[] = [];
  const titles = new Map<string, Set<string>>();
  const numbers = new Map<string, number>();
  for (const row of rows) {
    const where = `SECURITY.md:${row.line} (#${row.number})`;
    if (!/^\d+$/.test(row.number)) problems.push(`${where}: "#" must be a number`);
    // Numbered per section, so that sections written apart never collide.
    const key = `${row.section}#${row.number}`;
    const first = numbers.get(key);
    if (first !== undefined) problems.push(`${where}: number ${row.number} is already used in ${row.section || 'this section'} on line ${first}`);
    else numbers.set(key, row.line);
    if (!row.input || !row.answer) problems.push(`${where}: input and answer must not be empty`);
    if (!TEST_FILE.test(row.file)) {
      problems.push(`${where}: ${row.file} is not a test file npm test runs (test/node/*.test.ts, test/browser/**/*.test.ts, components/**/*.test.ts)`);
      continue;
    }
    const path = join(root, row.file);
    if (!existsSync(path)) {
      problems.push(`${where}: ${row.file} does not exist`);
      continue;
    }
    let known = titles.get(path);
    if (!known) titles.set(path, (known = testTitles(readFileSync(path, 'utf8'))));
    if (!known.has(row.title)) problems.push(`${where}: ${row.file} has no test titled "${row.title}"`);
  }
  return problems;
}
