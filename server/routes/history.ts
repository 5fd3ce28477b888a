import type { ServerResponse } from 'node:http';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { Broker } from '../broker/broker.js';
import { eventJson } from '../broker/event-json.js';
import { HttpStatusError, sendJsonText } from '../http/http-error.js';
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
    throw new HttpStatusError(400, 'bad-limit', `limit must be a whole number from 1 to ${deps.options.historySize}, got "${limitText.slice(0, 20)}".`);
  }
  const perChannel = await Promise.all(request.channels.map((channel) => deps.broker.recent(channel, limit)));
  sendJsonText(res, 200, historyAnswer(perChannel, deps.options.maxAnswerBytes));
}

/**
 * `{"events":[…]}` within `maxBytes`: when the events do not all fit, the
 * newest of each channel are kept (taking from every channel in turn, newest
 * first) and `"truncated":true` says that older ones were left out.
 */
export function historyAnswer(perChannel: readonly (readonly CometEvent[])[], maxBytes: number): string {
  const json = perChannel.map((events) => events.map(eventJson));
  const total = json.reduce((sum, list) => sum + list.reduce((s, text) => s + Buffer.byteLength(text) + 1, 0), 0);
  if (total + 32 <= maxBytes) return `{"events":[${json.flat().join(',')}]}`;
  const kept = json.map(() => 0);
  let budget = maxBytes - 48;
  for (let round = 0, progress = true; progress; round += 1) {
    progress = false;
    json.forEach((list, index) => {
      const text = list[list.length - 1 - round];
      if (text === undefined || budget < Buffer.byteLength(text) + 1 || kept[index] !== round) return;
      budget -= Buffer.byteLength(text) + 1;
      kept[index] = round + 1;
      progress = true;
    });
  }
  const events = json.flatMap((list, index) => list.slice(list.length - kept[index]!));
  return `{"events":[${events.join(',')}],"truncated":true}`;
}
