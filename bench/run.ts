/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those named on
 * the command line) and prints their tables. Each benchmark measures
 * cometkit against a baseline in the same run, so the machine's speed
 * cancels out; figures go into BENCHMARKS.md by hand, with the date.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.includes(w)))
  .sort();

console.log(`# cometkit benchmarks — ${new Date().toISOString()} — node ${process.version}`);
let failed = false;
for (const file of files) {
  const started = performance.now();
  try {
    const module = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
    await module.default();
    console.log(`\n(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`\n${file} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
