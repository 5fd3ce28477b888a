import { createRequire } from 'node:module';
import { isMissing, MissingDependencyError } from '../optional-dependency.js';

const load = createRequire(import.meta.url);

/**
 * prom-client is an optional peer dependency, like jose and @redis/client: a
 * browser app does not need it. It loads the first time metrics are turned
 * on, so a server started with metrics but without the package fails at
 * start with a line that says what to install.
 */
export function promClientModule(): typeof import('prom-client') {
  try {
    return load('prom-client') as typeof import('prom-client');
  } catch (error) {
    if (isMissing(error, 'prom-client')) throw new MissingDependencyError('prom-client', 'Metrics (metrics option, COMET_METRICS=1, --metrics)', error);
    throw error;
  }
}
