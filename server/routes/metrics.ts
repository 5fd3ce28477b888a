import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatusError } from '../http/http-error.js';
import { NOSNIFF } from '../http/nosniff.js';
import type { CometMetrics } from '../metrics/comet-metrics.js';
import type { WorkerGroup } from '../metrics/worker-group.js';
import { keyMatches } from './publish.js';

/** The scraper's key: the metrics option's own, else the publish key; a server with neither does not start. */
export function metricsKeyOf(option: boolean | { readonly key?: string } | undefined, publishKey: string | undefined): string {
  const key = (typeof option === 'object' ? option.key : undefined) || publishKey;
  if (!key) {
    throw new TypeError('cometkit server: metrics need a key for their scraper: set metrics.key (COMET_METRICS_KEY) or a publishKey (COMET_PUBLISH_KEY).');
  }
  return key;
}

/**
 * `GET {base}/metrics`: Prometheus text, behind a bearer key because the
 * counts say how busy the service is and when a flood is being refused.
 * Under `--workers` the figures are summed over every process.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, deps: { key: string; local: CometMetrics; workers: WorkerGroup | undefined }): Promise<void> {
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!given) throw new HttpStatusError(401, 'metrics-key-missing', 'Send the metrics key as Authorization: Bearer <key> (bearer_token in a Prometheus scrape config).');
  if (!keyMatches(given, deps.key)) throw new HttpStatusError(401, 'metrics-key-invalid', 'The metrics key is wrong.');
  let text: string;
  try {
    text = deps.workers ? await deps.workers.metrics() : await deps.local.text();
  } catch (error) {
    throw new HttpStatusError(503, 'metrics-unavailable', `The metrics could not be gathered from every worker (${(error as Error).message}); scrape again.`, { 'Retry-After': '5' });
  }
  res.writeHead(200, { 'Content-Type': deps.local.registry.contentType, 'Cache-Control': 'no-store', ...NOSNIFF });
  res.end(text);
}
