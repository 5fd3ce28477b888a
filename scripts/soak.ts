/**
 * `npm run soak`: the full chaos soak (test/support/scale/chaos-soak.ts),
 * 10,000 events over about a minute, on loopback; exits non-zero when an
 * acknowledged event was lost, doubled or reordered in any tab.
 * `npm run soak -- --events 2000 --seconds 20` for a shorter one.
 */
import { scaleOutBinaries } from '../test/support/scale/binaries.js';
import { formatSoakReport, runChaosSoak } from '../test/support/scale/chaos-soak.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
};
const events = arg('events', 10_000);
const seconds = arg('seconds', 60);

const { skip } = scaleOutBinaries(['redis-server', 'nginx', 'openssl']);
if (skip) {
  console.error(`soak skipped: ${skip}`);
  process.exit(process.env['CI'] === 'true' ? 1 : 0);
}
console.log(`# chaos soak — ${new Date().toISOString()} — ${events} events over ${seconds} s`);
const report = await runChaosSoak({ events, durationMs: seconds * 1000, faultEveryMs: 1500, log: (line) => console.log(line) });
console.log(formatSoakReport(report));
process.exit(report.lost + report.doubled + report.outOfOrder === 0 ? 0 : 1);
