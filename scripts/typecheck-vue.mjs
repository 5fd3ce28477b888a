#!/usr/bin/env node
/**
 * vue-tsc over the Vue pages (demo/vue/tsconfig.json): their templates are
 * checked against cometkit/vue's element types, and demo/vue/ElementTypings.vue
 * proves the types reject wrong uses (`@vue-expect-error` fails the check
 * where no error occurs). Part of `npm run typecheck`.
 *
 * vue-tsc runs inside TypeScript's JavaScript compiler, which TypeScript 7
 * (the project's `tsc`) no longer ships: it is given TypeScript 6's
 * (`typescript6`, an alias in devDependencies) instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = require.resolve('typescript6/lib/tsc');
// tsc reads its arguments from process.argv.
process.argv = [process.argv[0], tsc, '--noEmit', '-p', join(root, 'demo/vue/tsconfig.json'), ...process.argv.slice(2)];
require('vue-tsc').run(tsc);
