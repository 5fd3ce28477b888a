/**
 * Floods the server in a child process (with --expose-gc, so the heap can be
 * measured after a full collection) and checks that memory returns to its
 * baseline after each flood. The bound is generous (timing, JIT and pools
 * vary); what it catches is growth per request that never comes back.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
/** Requests per flood; FLOOD_REQUESTS raises it (the figures in SECURITY.md are from 2000). */
const REQUESTS = process.env['FLOOD_REQUESTS'] ?? '500';
/** Heap growth allowed after a flood: at the 73 KB a request once kept, 500 requests would keep 36 MB. */
const SLACK_MB = 8;

it('memory returns to its baseline after each flood', { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, '../support/memory-floods.ts')], {
    env: { ...process.env, FLOOD_REQUESTS: REQUESTS },
    maxBuffer: 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { baselineMB: number; figures: Array<{ flood: string; requests: number; peakMB: number; afterMB: number }> };
  console.log(`memory: baseline ${result.baselineMB} MB heap`);
  for (const f of result.figures) console.log(`memory: ${f.flood}: ${f.requests} requests, peak ${f.peakMB} MB, after ${f.afterMB} MB`);
  for (const f of result.figures) {
    assert.ok(f.afterMB <= result.baselineMB + SLACK_MB, `${f.flood}: ${f.afterMB} MB after, baseline ${result.baselineMB} MB`);
  }
});
