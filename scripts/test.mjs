#!/usr/bin/env node
/**
 * `npm test`: every check the project has, cheapest first, stopping at the
 * first failure so its output is the last thing on screen.
 *
 *   typecheck → build → size budgets → API reference → Node tests → browser tests → tool checks
 *
 * Each step's output is passed through as it comes, and also scanned for
 * the runners' pass/fail counts, so the run closes with one
 * "N passed, N failed" line over both runners. The names of failed tests
 * (with the first line of their error) are repeated under the summary, so a
 * log cut to its last lines still says what failed. The tool checks (test/tools/:
 * that msw and the test harness behave as the tests assume) must pass but
 * are not counted: they test the tools, not cometkit.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @typedef {{ passed: number, failed: number }} Counts */
/** @type {Array<{ name: string, command: string[], count?: (output: string) => Counts | undefined }>} */
const steps = [
  { name: 'typecheck', command: [npm, 'run', '--silent', 'typecheck'] },
  { name: 'build', command: [npm, 'run', '--silent', 'build'] },
  { name: 'size', command: [process.execPath, join(root, 'scripts/check-size.mjs')] },
  // docs/api/ against the declarations the build has just written (`npm run docs:api` rewrites it).
  { name: 'docs:api', command: [process.execPath, join(root, 'scripts/api-docs.mjs'), '--check'] },
  { name: 'node tests', command: [npm, 'run', '--silent', 'test:node'], count: countNodeTests },
  { name: 'browser tests', command: [npm, 'run', '--silent', 'test:browser'], count: countBrowserTests },
  { name: 'tool checks', command: [npm, 'run', '--silent', 'test:tools'] },
];

const stripAnsi = (text) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** node --test closes with `ℹ pass N` / `ℹ fail N` (spec) or `# pass N` (TAP). */
function countNodeTests(output) {
  const last = (name) => [...output.matchAll(new RegExp(`^[ℹ#] ${name} (\\d+)$`, 'gm'))].at(-1)?.[1];
  const passed = last('pass');
  const failed = last('fail');
  return passed === undefined ? undefined : { passed: Number(passed), failed: Number(failed ?? 0) };
}

/** @web/test-runner prints `Chrome: |███| 2/2 test files | 8 passed, 0 failed` per browser; the last line of each is final. */
function countBrowserTests(output) {
  const perBrowser = new Map();
  for (const match of output.matchAll(/^\s*([\w ]+?):\s*\|[^|]*\|\s*\d+\/\d+ test files \| (\d+) passed, (\d+) failed/gm)) {
    perBrowser.set(match[1], { passed: Number(match[2]), failed: Number(match[3]) });
  }
  if (perBrowser.size === 0) return undefined;
  return [...perBrowser.values()].reduce((sum, c) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed }), { passed: 0, failed: 0 });
}

/**
 * The failed tests in a step's output: node --test's spec reporter marks them
 * `✖ name`, @web/test-runner `❌ name` followed by the error's first line.
 */
function failedTests(output) {
  const lines = output.split('\n');
  const found = [];
  lines.forEach((line, index) => {
    const text = line.trim();
    if (text.startsWith('❌')) {
      const error = lines.slice(index + 1).find((next) => next.trim() !== '')?.trim() ?? '';
      found.push(`${text}${error ? ` — ${error}` : ''}`);
    } else if (text.startsWith('✖') && !text.startsWith('✖ failing tests')) {
      found.push(text);
    }
  });
  return [...new Set(found)];
}

function run(command) {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    const child = spawn(file, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Output is piped to be counted; keep the colours a terminal would have had.
      env: { ...process.env, ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) },
      shell: process.platform === 'win32',
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];
const total = { passed: 0, failed: 0 };
const started = performance.now();
let failedStep;

for (const step of steps) {
  console.log(`\n━━━ ${step.name} ━━━ ${step.command.slice(step.command[0] === process.execPath ? 1 : 0).join(' ').replace(root + '/', '')}\n`);
  const begin = performance.now();
  const { code, output } = await run(step.command);
  const duration = performance.now() - begin;
  const counts = step.count?.(stripAnsi(output));
  if (counts) {
    total.passed += counts.passed;
    total.failed += counts.failed;
  }
  results.push({ name: step.name, ok: code === 0, duration, counts, failures: code === 0 ? [] : failedTests(stripAnsi(output)) });
  console.log(`\n━━━ ${step.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds(duration)}`);
  if (code !== 0) {
    failedStep = step.name;
    break;
  }
}

console.log('\n━━━ summary');
for (const r of results) {
  const counts = r.counts ? `  ${r.counts.passed} passed, ${r.counts.failed} failed` : '';
  console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(14)} ${seconds(r.duration).padStart(7)}${counts}`);
}
for (const step of steps.slice(results.length)) console.log(`  skip  ${step.name}`);
console.log(`  total ${seconds(performance.now() - started)}`);
if (failedStep) {
  console.log(`\nnpm test failed at: ${failedStep}`);
  const failures = results.at(-1)?.failures ?? [];
  for (const failure of failures.slice(0, 30)) console.log(`  ${failure.slice(0, 400)}`);
  if (failures.length > 30) console.log(`  … and ${failures.length - 30} more`);
}
console.log(`\ntests: ${total.passed} passed, ${total.failed} failed`);
process.exit(failedStep ? 1 : 0);
