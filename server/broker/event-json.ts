import type { CometEvent } from '../../src/protocol/messages.js';
import { HttpStatusError } from '../http/http-error.js';

/**
 * Deepest nesting of arrays and objects accepted in event data. JSON.parse
 * accepts thousands of levels that JSON.stringify later overflows on; no
 * real event needs more than a handful.
 */
export const MAX_DATA_DEPTH = 64;

/** The JSON of each stored event, written once at publish and reused by every frame, answer and store. */
const envelopes = new WeakMap<CometEvent, string>();

const badData = (where: string, why: string): HttpStatusError =>
  new HttpStatusError(400, 'bad-data', `${where} ${why}: event data must be plain JSON (null, booleans, finite numbers, strings, arrays, objects) nested at most ${MAX_DATA_DEPTH} deep.`);

/**
 * Walks `data` and refuses what would not come back the same from
 * JSON.parse(JSON.stringify(data)): BigInt (throws), cycles (throw), deep
 * nesting (overflows), undefined / functions / symbols (vanish or turn into
 * null), NaN and ±Infinity (turn into null), array holes, and objects that
 * are not plain (Date, Map, class instances, anything with toJSON).
 */
function walk(value: unknown, depth: number, path: string, seen: Set<object>, where: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw badData(where, `has a non-finite number at ${path}`);
      return;
    case 'object':
      break;
    default:
      throw badData(where, `has a ${typeof value} at ${path}`);
  }
  if (value === null) return;
  if (depth >= MAX_DATA_DEPTH) throw badData(where, `is nested deeper than ${MAX_DATA_DEPTH} levels at ${path.slice(0, 120)}`);
  if (seen.has(value)) throw badData(where, `refers to itself at ${path.slice(0, 120)}`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      if (!(i in value)) throw badData(where, `has a hole at ${path}[${i}]`);
      walk(value[i], depth + 1, `${path}[${i}]`, seen, where);
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw badData(where, `has a ${(value as object).constructor?.name ?? 'non-plain'} object at ${path}`);
    }
    for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], depth + 1, `${path}.${key.slice(0, 40)}`, seen, where);
  }
  seen.delete(value);
}

/**
 * Checks event data and returns its JSON. Called for every item of a batch
 * before any of it is stored, so a batch is refused whole or accepted whole.
 */
export function dataJson(data: unknown, where = 'data'): string {
  if (data === undefined) throw new HttpStatusError(400, 'bad-event', `${where} is missing (use null for no data).`);
  walk(data, 0, where, new Set(), where);
  return JSON.stringify(data);
}

/**
 * Seals a freshly built event with its JSON (the envelope, field order as in
 * PROTOCOL.md). `data` is the JSON `dataJson` returned: the data is not
 * serialized a second time.
 */
export function sealEvent(event: CometEvent, data: string): string {
  const json = `{"id":${JSON.stringify(event.id)},"channel":${JSON.stringify(event.channel)},"type":${JSON.stringify(event.type)},"data":${data},"time":${event.time}}`;
  envelopes.set(event, json);
  return json;
}

/**
 * The envelope's JSON. Events from a broker are sealed at publish; an event
 * built elsewhere (a test, another broker) is serialized here once and cached.
 */
export function eventJson(event: CometEvent): string {
  let json = envelopes.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    envelopes.set(event, json);
  }
  return json;
}

/**
 * An event read back from a store that keeps each envelope's JSON (Redis):
 * parsed once, with that same text sealed to it, so streams reuse the
 * stored string instead of serializing the event again.
 */
export function parseStoredEvent(json: string): CometEvent {
  const event = JSON.parse(json) as CometEvent;
  envelopes.set(event, json);
  return event;
}
