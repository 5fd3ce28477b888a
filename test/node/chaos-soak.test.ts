/**
 * The chaos soak, short: a few faults of every kind and one Redis restart
 * in about 15 s. The full one is `npm run soak`. Needs dist/ (npm test
 * builds before the Node tests) and Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { findBrowser } from '../../scripts/find-browsers.mjs';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { formatSoakReport, runChaosSoak } from '../support/scale/chaos-soak.js';

const built = existsSync(new URL('../../dist/cometkit.js', import.meta.url));
const chromium = findBrowser('chromium');
const missing = scaleOutBinaries(['redis-server', 'nginx', 'openssl']).skip || (!chromium && 'Chromium not installed') || (!built && 'dist/ not built (npm run build)');
if (missing && process.env['CI'] === 'true') throw new Error(`CI=true and ${missing}.`);

it('chaos soak (short): every acknowledged event once, in order, in every tab', { skip: missing, timeout: 120_000 }, async () => {
  const report = await runChaosSoak({ events: 1500, durationMs: 15_000, faultEveryMs: 1000 });
  const text = formatSoakReport(report);
  console.log(text);
  assert.ok(report.faults['Redis restarted'] === 1, text);
  assert.ok(Object.keys(report.faults).length >= 5, `every kind of fault ran:\n${text}`);
  assert.equal(report.published, 1500, text);
  assert.deepEqual({ lost: report.lost, doubled: report.doubled, outOfOrder: report.outOfOrder }, { lost: 0, doubled: 0, outOfOrder: 0 }, text);
  assert.ok(report.delivered >= 2 * 1500 * (2 / 3), `tabs received the events:\n${text}`);
});
