import {
  INBOX_IDS_MAX,
  type InboxAddedData,
  type InboxChangeJson,
  type InboxChangedData,
  type InboxCountsJson,
  type InboxFilter,
  type InboxItemJson,
} from '../../src/inbox/inbox-protocol.js';
import type { Broker } from '../broker/broker.js';
import { HttpError } from '../http/http-error.js';
import { inboxChannel } from './inbox-channel.js';
import type { InboxPage, InboxStore } from './inbox-store.js';
import { MemoryInboxStore, type MemoryInboxStoreOptions } from './memory-inbox-store.js';

export interface InboxOptions extends MemoryInboxStoreOptions {
  /** Where inboxes live; by default in memory, for this process (bounded by the options above). */
  readonly store?: InboxStore;
  /**
   * Accept inbox requests without a token, the user named by `?user=`, and
   * let anyone read every inbox channel: a demo without sign-in, where
   * anyone can read and change anyone's inbox. Default false; the server
   * logs when it is on.
   */
  readonly anonymous?: boolean;
}

const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Each user's notifications with seen/read/archived state, kept by the
 * server so every device agrees. Every change is published on the user's
 * own channel (`inbox.added`, `inbox.changed`) with the new counts.
 */
export class InboxService {
  readonly anonymous: boolean;
  readonly #store: InboxStore;
  readonly #broker: Broker;
  readonly #maxPayloadBytes: number;

  constructor(broker: Broker, options: InboxOptions, maxPayloadBytes: number) {
    this.#broker = broker;
    this.#store = options.store ?? new MemoryInboxStore(options);
    this.anonymous = options.anonymous ?? false;
    this.#maxPayloadBytes = maxPayloadBytes;
  }

  channel(user: string): string {
    return inboxChannel(user);
  }

  /** Adds a notification to `user`'s inbox and tells the user's devices. */
  async notify(user: string, notification: { type?: string; data: unknown }): Promise<InboxItemJson> {
    if (typeof user !== 'string' || user === '' || user.length > 128) throw new HttpError(400, 'bad-user', 'user must be a non-empty user id of at most 128 characters.');
    const type = notification.type ?? 'notification';
    if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) throw new HttpError(400, 'bad-event', 'type must be 1-64 of A-Z a-z 0-9 _ . : -.');
    let text: string | undefined;
    try {
      text = JSON.stringify(notification.data);
    } catch {
      text = undefined;
    }
    if (text === undefined) throw new HttpError(400, 'bad-data', 'A notification needs JSON data (use null for none).');
    if (Buffer.byteLength(text) > this.#maxPayloadBytes) throw new HttpError(413, 'payload-too-large', `The notification is larger than ${this.#maxPayloadBytes} bytes (maxPayloadBytes).`);
    const item = await this.#store.add(user, { type, data: notification.data, time: Date.now() });
    const data: InboxAddedData = { item, counts: await this.#store.counts(user) };
    await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.added', data });
    return item;
  }

  list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<InboxPage> {
    return this.#store.list(user, filter, before, limit);
  }

  counts(user: string): Promise<InboxCountsJson> {
    return this.#store.counts(user);
  }

  /** Applies a checked change; publishes it when it changed anything. Reading an item also sees it. */
  async update(user: string, change: InboxChangeJson): Promise<{ counts: InboxCountsJson; changed: number }> {
    const set = change.set.read === true ? { ...change.set, seen: true } : change.set;
    const applied: InboxChangeJson = 'upTo' in change ? { upTo: change.upTo, set } : { ids: change.ids, set };
    const changed = await this.#store.update(user, applied);
    const counts = await this.#store.counts(user);
    if (changed > 0) {
      const data: InboxChangedData = { change: applied, counts };
      await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.changed', data });
    }
    return { counts, changed };
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}

/** Checks a `POST {base}/inbox/state` body. */
export function checkInboxChange(body: unknown): InboxChangeJson {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'bad-change', 'Send {"ids": [..] | "upTo": id, "seen"?, "read"?, "archived"?}.');
  }
  const { ids, upTo, seen, read, archived } = body as Record<string, unknown>;
  const set: { seen?: boolean; read?: boolean; archived?: boolean } = {};
  for (const [name, value] of [['seen', seen], ['read', read], ['archived', archived]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new HttpError(400, 'bad-change', `"${name}" must be true or false.`);
    set[name] = value;
  }
  if (Object.keys(set).length === 0) throw new HttpError(400, 'bad-change', 'Say what to change: "seen", "read" and/or "archived".');
  const id = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;
  if ((ids === undefined) === (upTo === undefined)) throw new HttpError(400, 'bad-change', 'Name the items with either "ids" or "upTo", not both.');
  if (upTo !== undefined) {
    if (!id(upTo)) throw new HttpError(400, 'bad-change', '"upTo" must be an item id (a positive integer).');
    return { upTo, set };
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > INBOX_IDS_MAX || !ids.every(id)) {
    throw new HttpError(400, 'bad-change', `"ids" must list 1 to ${INBOX_IDS_MAX} item ids (positive integers).`);
  }
  return { ids: [...new Set(ids)], set };
}
