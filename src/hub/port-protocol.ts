import { isValidChannel } from '../protocol/channel.js';
import { record, type Checked } from '../protocol/check-value.js';
import type { Cursor } from '../protocol/cursor.js';
import { isEpoch, type Position } from '../protocol/position.js';
import { dropped } from '../dev.js';

export { record, type Checked };

/**
 * What both directions of the port share: the frozen envelope, the version,
 * and the schema every message is declared in. The messages themselves are
 * in tab-messages.ts (tab → hub) and hub-messages.ts (hub → tab), one table
 * each (see ARCHITECTURE.md, "Port protocol").
 */

/**
 * Version of the messages between a tab and its hub. Bump it for any change
 * an older peer would misread. Only the envelope `{ cometkit: <version>,
 * type, tab? }` and the `hello` / `refused` pair are frozen forever, so that
 * peers of different versions can still tell each other that they differ.
 * v4: events, gaps, hellos and positions carry parsed positions and cursors.
 */
export const PORT_PROTOCOL_VERSION = 4;

/** Version of this SDK, carried in every hello so a mismatch names both sides. */
export const SDK_VERSION = '0.1.0';

export type HostKind = 'shared-worker' | 'leader-tab' | 'single-tab';
export const HOST_KINDS: readonly HostKind[] = ['shared-worker', 'leader-tab', 'single-tab'];

/** An error as it crosses a port: a prototype does not survive structured cloning, these fields do. */
export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly status: number | undefined;
}

export const MAX_SDK = 32;

/**
 * The frozen part of every message: `{ cometkit: <version>, type: <string> }`.
 * Anything without it is someone else's postMessage traffic.
 */
export function readEnvelope(value: unknown): { version: number; type: string; data: Record<string, unknown> } | undefined {
  const data = record(value);
  if (!data) return undefined;
  const version = data['cometkit'];
  const type = data['type'];
  // Number.isInteger is false for anything but a number.
  if (!Number.isInteger(version) || (version as number) < 1 || typeof type !== 'string') return undefined;
  return { version: version as number, type, data };
}

/**
 * Reads one field of a message that crossed the port: the value to keep (a
 * copy where it is an object, so nothing the sender still holds is shared),
 * or undefined when it is not what the schema declares. No field accepts
 * undefined: an optional field is declared nullable.
 */
export type Field<T> = (value: unknown) => T | undefined;

/** A direction of the port: each message type with its fields, each field with its reader. */
export type Schema = { readonly [type: string]: { readonly [field: string]: Field<unknown> } };

/** The messages a schema declares, each with the envelope `Base` (the readers' results are the field types). */
export type MessagesOf<S extends Schema, Base> = {
  [K in keyof S & string]: Base & { readonly type: K } & { readonly [F in keyof S[K]]: S[K][F] extends Field<infer T> ? T : never };
}[keyof S & string];

/**
 * Reads a message of `schema` field by field, keeping only the declared
 * fields: the one check of each message, derived from its declaration.
 */
export function readMessage<S extends Schema, Base extends object>(schema: S, type: string, data: Record<string, unknown>, base: Base): Checked<MessagesOf<S, Base>> {
  // Own keys only: a type named "constructor" or "__proto__" is no message.
  const fields = Object.hasOwn(schema, type) ? schema[type] : undefined;
  if (!fields) return dropped(`unknown message type "${type}"`);
  const message: Record<string, unknown> = { ...base, type };
  for (const name in fields) {
    const value = fields[name]!(data[name]);
    if (value === undefined) return dropped(`${type} message has no valid "${name}"`);
    message[name] = value;
  }
  return message as MessagesOf<S, Base>;
}

// The readers both directions use; those of one direction live with its table, so a page carries none of the tab's.
export const string: Field<string> = (value) => (typeof value === 'string' ? value : undefined);
export const integer: Field<number> = (value) => (Number.isInteger(value) ? (value as number) : undefined);
export const nullable =
  <T>(field: Field<T>): Field<T | null> =>
  (value) =>
    value === null ? null : field(value);
export const oneOf =
  <T>(values: readonly T[]): Field<T> =>
  (value) =>
    values.includes(value as T) ? (value as T) : undefined;

/** A position as it crosses the port: already parsed where it entered the browser, so checked here, not read again. */
export const position: Field<Position> = (value) => {
  const { epoch, seq } = record(value) ?? {};
  return isEpoch(epoch) && Number.isSafeInteger(seq) && (seq as number) >= 0 ? { epoch, seq: seq as number } : undefined;
};

/** A cursor as it crosses the port: a Map survives structured cloning; each entry is checked and copied. */
export const cursor: Field<Cursor> = (value) => {
  if (!(value instanceof Map) || value.size > 1024) return undefined;
  const copy: Cursor = new Map();
  for (const [channel, at] of value as Map<unknown, unknown>) {
    const checked = position(at);
    if (!isValidChannel(channel) || !checked) return undefined;
    copy.set(channel, checked);
  }
  return copy;
};
