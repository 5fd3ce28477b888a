/**
 * The SharedWorker and one-file script builds take this in place of
 * `load-diagnose-refusal.ts` (rollup.config.mjs): each is one file, with no
 * chunk to fetch, so it carries the code without the wrapper an inlined
 * `import()` would add.
 */
export { diagnoseRefusal } from './diagnose-refusal.js';
