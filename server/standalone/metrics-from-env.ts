import type { CometServerOptions } from '../options.js';

/** `COMET_METRICS=1` (or `--metrics`) serves `{base}/metrics`; `COMET_METRICS_KEY` is the scraper's key (else the publish key). */
export function metricsEnabled(env: NodeJS.ProcessEnv): boolean {
  const text = env['COMET_METRICS']?.trim();
  return text !== undefined && /^(1|true|yes|on)$/i.test(text);
}

export function metricsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CometServerOptions, 'metrics'> {
  if (!metricsEnabled(env)) return {};
  const key = env['COMET_METRICS_KEY'] || undefined;
  return { metrics: key ? { key } : true };
}
