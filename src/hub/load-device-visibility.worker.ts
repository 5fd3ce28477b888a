/**
 * The SharedWorker and one-file script builds take this in place of
 * `load-device-visibility.ts` (rollup.config.mjs): each is one file, with
 * no chunk to fetch, so it carries the code without the namespace object
 * an inlined `import()` would add.
 */
import { forHub } from './device-visibility.js';

export const loadDeviceVisibility = async (): Promise<Pick<typeof import('./device-visibility.js'), 'forHub'>> => ({ forHub });
