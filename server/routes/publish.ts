import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidChannel } from '../../src/protocol/channel.js';
import type { Broker, PublishInput } from '../broker/broker.js';
import { dataJson } from '../broker/event-json.js';
import { HttpStatusError, sendJson } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { MetricsSink } from '../metrics/comet-metrics.js';
import type { ResolvedOptions } from '../options.js';

/** Most events one publish request may carry. */
export const MAX_BATCH = 100;
const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks one `{ channel, type?, data }` object and serializes its data; `where` names it in the error. */
export function checkPublishInput(value: unknown, where: string): PublishInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpStatusError(400, 'bad-event', `${where} must be an object { "channel", "type"?, "data" }.`);
  }
  const { channel, type = 'message', data } = value as Record<string, unknown>;
  if (!isValidChannel(channel)) {
    throw new HttpStatusError(400, 'bad-channel', `${where}.channel must be 1-128 of A-Z a-z 0-9 _ . : @ / -.`);
  }
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
    throw new HttpStatusError(400, 'bad-event', `${where}.type must be 1-64 of A-Z a-z 0-9 _ . : -.`);
  }
  return { channel, type, data, dataJson: dataJson(data, `${where}.data`) };
}

/** Throws unless the request carries the server's publish key (backends only). */
export function requirePublishKey(req: IncomingMessage, options: ResolvedOptions): void {
  if (!options.publishKey) {
    throw new HttpStatusError(403, 'publish-disabled', 'Publishing over HTTP is off: start the server with a publishKey (COMET_PUBLISH_KEY).');
  }
  const header = req.headers.authorization ?? '';
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  if (!given) throw new HttpStatusError(401, 'publish-key-missing', 'Send the publish key as Authorization: Bearer <key>.');
  if (!keyMatches(given, options.publishKey)) throw new HttpStatusError(401, 'publish-key-invalid', 'The publish key is wrong.');
}

/**
 * `POST {base}/publish` with `Authorization: Bearer <publish key>` and a JSON
 * body: one event, or an array of up to MAX_BATCH published in order.
 */
export async function servePublish(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { broker: Broker; options: ResolvedOptions; metrics: MetricsSink | undefined },
): Promise<void> {
  const { broker, options, metrics } = deps;
  requirePublishKey(req, options);

  const body = await readJsonBody(req, options.maxPayloadBytes, options.bodyTimeoutMs);
  const batch = Array.isArray(body);
  const items = batch ? body : [body];
  if (items.length === 0 || items.length > MAX_BATCH) {
    throw new HttpStatusError(400, 'bad-event', `A batch holds 1 to ${MAX_BATCH} events; this one holds ${items.length}.`);
  }
  // Everything is checked and serialized before anything is published: a bad batch publishes nothing.
  const inputs = items.map((item, index) => checkPublishInput(item, batch ? `body[${index}]` : 'body'));
  const published = [];
  for (const input of inputs) {
    const event = await broker.publish(input);
    published.push({ id: event.id, channel: event.channel, type: event.type, time: event.time });
  }
  metrics?.published(published.length);
  sendJson(res, 200, batch ? published : published[0]);
}
