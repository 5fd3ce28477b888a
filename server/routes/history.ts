import type { ServerResponse } from 'node:http';
import type { Broker } from '../broker/broker.js';
import { HttpError, sendJson } from '../http/http-error.js';
import type { ResolvedOptions } from '../options.js';
import type { StreamRequest } from '../stream/stream-request.js';

/**
 * `GET {base}/history?ch=…&limit=N`: the last N events of each channel still
 * held, oldest first. A feed shows them at once instead of an empty list
 * until the next event; the live stream dedupes by id what both deliver.
 */
export async function serveHistory(res: ServerResponse, url: URL, request: StreamRequest, deps: { broker: Broker; options: ResolvedOptions }): Promise<void> {
  const limitText = url.searchParams.get('limit') ?? '50';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > deps.options.historySize) {
    throw new HttpError(400, 'bad-limit', `limit must be a whole number from 1 to ${deps.options.historySize}, got "${limitText.slice(0, 20)}".`);
  }
  const events = (await Promise.all(request.channels.map((channel) => deps.broker.recent(channel, limit)))).flat();
  sendJson(res, 200, { events });
}
