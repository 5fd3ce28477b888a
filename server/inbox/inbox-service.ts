import { randomUUID } from 'node:crypto';
import { delivery } from '../../src/protocol/inbox-delivery.js';
import {
  INBOX_CATEGORIES_MAX,
  INBOX_IDS_MAX,
  INBOX_LABEL_MAX,
  INBOX_NAME_PATTERN,
  INBOX_SNOOZE_MAX_MS,
  type InboxActionAnswer,
  type InboxAction,
  type InboxAddedData,
  type InboxChange,
  type InboxChangedData,
  type InboxCounts,
  type InboxFilter,
  type InboxItem,
  type InboxMuted,
  type InboxNotification,
  type InboxPreferencesAnswer,
  type InboxPreferencesData,
  type InboxPreferencesPatch,
  type InboxSnoozedData,
  type InboxUpdatedData,
} from '../../src/protocol/inbox-protocol.js';
import type { Broker } from '../broker/broker.js';
import { HttpStatusError } from '../http/http-error.js';
import type { PushService } from '../push/push-service.js';
import { ActionWebhook, type ActionWebhookOptions } from './action-webhook.js';
import { inboxChannel } from './inbox-channel.js';
import type { InboxStore, StoredInboxPage } from './inbox-store.js';
import { MemoryInboxStore, type MemoryInboxStoreOptions } from './memory-inbox-store.js';
import { checkNotification } from './notification-check.js';
import { checkPreferencesPatch } from './preferences-check.js';
import { SnoozeClock } from './snooze-clock.js';

/** What `inbox.onAction` is called with: the item as it was when the action was claimed. */
export interface InboxActionCall {
  readonly user: string;
  readonly item: InboxItem;
  readonly action: InboxAction;
  /** The request's `Idempotency-Key`: the same for every retry of one click. */
  readonly idempotencyKey: string;
}

/** What the application answers: `label` replaces the buttons (default: the action's label). */
export interface InboxActionOutcome {
  readonly label?: string;
}

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
  /** Categories users cannot mute (security alerts, receipts): they reach every channel whatever is set. */
  readonly critical?: readonly string[];
  /** Runs an item's action (PROTOCOL.md, Actions); its answer becomes the item's `result`. */
  readonly onAction?: (call: InboxActionCall) => InboxActionOutcome | void | Promise<InboxActionOutcome | void>;
  /** Posts actions, signed, to the application (any language); without `onAction` its answer sets the result. */
  readonly webhook?: ActionWebhookOptions;
  /** How often this process looks for snoozes that ended (ms); a shared store's are found by whichever process looks first. Default 1000. */
  readonly snoozePollMs?: number;
  /** How long an action request waits for the application before answering `pending` (ms). Default 5000. */
  readonly actionWaitMs?: number;
}

/**
 * Each user's notifications with seen/read/archived state, kept by the
 * server so every device agrees, with preferences, actions, groups and
 * snoozes. Every change is published on the user's own channel (`inbox.*`)
 * with the new counts.
 */
export class InboxService {
  readonly anonymous: boolean;
  readonly critical: readonly string[];
  readonly #store: InboxStore;
  readonly #broker: Broker;
  readonly #maxPayloadBytes: number;
  readonly #onAction: InboxOptions['onAction'];
  readonly #webhook: ActionWebhook | undefined;
  readonly #actionWaitMs: number;
  readonly #clock: SnoozeClock;
  /** Web Push, when the server has VAPID keys: items the user allows to push go to devices with no visible tab. */
  readonly push: PushService | undefined;

  constructor(broker: Broker, options: InboxOptions, maxPayloadBytes: number, push?: PushService) {
    this.push = push;
    this.#broker = broker;
    this.#store = options.store ?? new MemoryInboxStore(options);
    this.anonymous = options.anonymous ?? false;
    this.#maxPayloadBytes = maxPayloadBytes;
    this.critical = [...(options.critical ?? [])];
    for (const category of this.critical) {
      if (!INBOX_NAME_PATTERN.test(category)) throw new TypeError(`cometkit server: inbox critical category "${category}" must be 1-64 of A-Z a-z 0-9 _ . : -.`);
    }
    this.#onAction = options.onAction;
    this.#webhook = options.webhook ? new ActionWebhook(options.webhook) : undefined;
    this.#actionWaitMs = options.actionWaitMs ?? 5000;
    this.#clock = new SnoozeClock(this.#store, options.snoozePollMs ?? 1000, async (woken) => {
      await this.#publishAdded(woken.user, { item: woken.item, replaces: woken.replaces });
      // Back from a snooze is new to the user: pushed as a new item is, to the devices with no visible tab now.
      if (this.push && delivery(await this.#store.preferences(woken.user), this.critical, woken.item.category).push) await this.#pushAdded(woken.user, woken.item, woken.replaces);
    });
  }

  channel(user: string): string {
    return inboxChannel(user);
  }

  /**
   * Adds a notification to `user`'s inbox, as their preferences allow, and
   * tells the user's devices. Answers `{ muted: true }` when the user muted
   * the category for the inbox: nothing is stored or sent.
   */
  async notify(user: string, notification: InboxNotification): Promise<InboxItem | InboxMuted> {
    if (typeof user !== 'string' || user === '' || user.length > 128) throw new HttpStatusError(400, 'bad-user', 'user must be a non-empty user id of at most 128 characters.');
    if (typeof notification !== 'object' || notification === null) throw new HttpStatusError(400, 'bad-event', 'A notification is {type?, data, …}.');
    const checked = checkNotification(notification as unknown as Record<string, unknown>);
    let text: string | undefined;
    try {
      text = JSON.stringify(notification.data);
    } catch {
      text = undefined;
    }
    if (text === undefined) throw new HttpStatusError(400, 'bad-data', 'A notification needs JSON data (use null for none).');
    if (Buffer.byteLength(text) > this.#maxPayloadBytes) throw new HttpStatusError(413, 'payload-too-large', `The notification is larger than ${this.#maxPayloadBytes} bytes (maxPayloadBytes).`);
    const reaches = delivery(await this.#store.preferences(user), this.critical, checked.category);
    if (!reaches.inbox) return { muted: true, category: checked.category };
    const added = await this.#store.add(user, { ...checked, time: Date.now(), toast: reaches.toast });
    await this.#publishAdded(user, added);
    if (reaches.push) await this.#pushAdded(user, added.item, added.replaces);
    // Not pushed, but it takes the place of an item that was: that push would show an old state of the group.
    else if (added.replaces !== undefined) void this.push?.itemsDone(user, { ids: [added.replaces] });
    return added.item;
  }

  list(user: string, filter: InboxFilter, before: number | undefined, limit: number): Promise<StoredInboxPage> {
    return this.#store.list(user, filter, before, limit);
  }

  counts(user: string): Promise<InboxCounts> {
    return this.#store.counts(user);
  }

  /** Applies a checked change; publishes it when it changed anything. Reading an item also sees it. */
  async update(user: string, change: InboxChange): Promise<{ counts: InboxCounts; changed: number }> {
    const set = change.set.read === true ? { ...change.set, seen: true } : change.set;
    const applied: InboxChange = 'upTo' in change ? { upTo: change.upTo, set } : { ids: change.ids, set };
    const changed = await this.#store.update(user, applied);
    const counts = await this.#store.counts(user);
    if (changed > 0) {
      const data: InboxChangedData = { change: applied, counts };
      await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.changed', data });
      // Read or archived anywhere: a push still pending or shown on another device is withdrawn.
      if (set.read === true || set.archived === true) void this.push?.itemsDone(user, applied);
    }
    return { counts, changed };
  }

  async preferences(user: string): Promise<InboxPreferencesAnswer> {
    return { channel: inboxChannel(user), preferences: await this.#store.preferences(user), critical: this.critical };
  }

  /** Merges a patch (checked here: a critical category cannot be muted); the user's devices hear of a change. */
  async setPreferences(user: string, body: unknown): Promise<InboxPreferencesAnswer> {
    const patch: InboxPreferencesPatch = checkPreferencesPatch(body, this.critical);
    const { preferences, changed } = await this.#store.setPreferences(user, patch, INBOX_CATEGORIES_MAX);
    const answer: InboxPreferencesAnswer = { channel: inboxChannel(user), preferences, critical: this.critical };
    if (changed) {
      const data: InboxPreferencesData = answer;
      await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.preferences', data });
    }
    return answer;
  }

  /**
   * Runs an item's action once (PROTOCOL.md, Actions): the first request
   * claims the item and calls the application; others, from any device or
   * process, answer `pending` until it answered and `done` after.
   */
  async runAction(user: string, id: number, actionId: string, idempotencyKey: string): Promise<InboxActionAnswer> {
    if (!this.#onAction && !this.#webhook) throw new HttpStatusError(501, 'actions-off', 'This server runs no actions: give it inbox.onAction or an inbox webhook.');
    const item = await this.#store.get(user, id);
    if (!item || item.archived || item.snoozedUntil !== undefined) throw new HttpStatusError(404, 'no-item', `No item ${id} to act on (unknown, archived or snoozed).`);
    if (item.result) return { status: 'done', item, counts: await this.#store.counts(user) };
    const action = item.actions?.find((one) => one.id === actionId);
    if (!action || action.url !== undefined) throw new HttpStatusError(400, 'bad-action', `Item ${id} has no action "${actionId.slice(0, 64)}" that runs on the server.`);
    const token = randomUUID();
    // Long past any answer the application could still give: a claimer that died lets go then.
    const leaseMs = (this.#webhook?.longestMs ?? 0) + this.#actionWaitMs + 5 * 60_000;
    const claim = await this.#store.claimAction(user, id, token, leaseMs, Date.now());
    if (claim.state === 'missing') throw new HttpStatusError(404, 'no-item', `No item ${id} to act on (unknown, archived or snoozed).`);
    if (claim.state === 'done') return { status: 'done', item: claim.item, counts: await this.#store.counts(user) };
    if (claim.state === 'running') return { status: 'pending', id };
    const run = this.#run(user, claim.item, action, idempotencyKey, token);
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([run, new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), this.#actionWaitMs)))]).finally(() => clearTimeout(timer));
    if (waited === 'pending') {
      // The answer goes to every device as inbox.updated when the application gives it.
      run.catch(() => undefined);
      return { status: 'pending', id };
    }
    return waited;
  }

  /** Hides items until `until` on every device; they come back unread then. */
  async snooze(user: string, body: unknown): Promise<{ counts: InboxCounts; snoozed: number }> {
    const { ids, until } = checkSnooze(body, Date.now());
    const snoozed = await this.#store.snooze(user, ids, until);
    const counts = await this.#store.counts(user);
    if (snoozed > 0) {
      const data: InboxSnoozedData = { ids, until, counts };
      await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.snoozed', data });
      this.#clock.arm(until);
      // Hidden until later on every device, the system notification too; it is pushed again when it comes back.
      void this.push?.itemsDone(user, { ids });
    }
    return { counts, snoozed };
  }

  async close(): Promise<void> {
    this.#clock.stop();
    this.#webhook?.close();
    await this.push?.close();
    await this.#store.close();
  }

  async #run(user: string, item: InboxItem, action: InboxAction, idempotencyKey: string, token: string): Promise<InboxActionAnswer> {
    const payload = { type: 'inbox.action', user, id: item.id, action: action.id, item, time: Date.now() };
    let label: unknown;
    try {
      if (this.#onAction) {
        label = (await this.#onAction({ user, item, action, idempotencyKey }))?.label;
      } else {
        const answer = await this.#webhook!.deliver(payload, idempotencyKey);
        label = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)['label'] : undefined;
      }
    } catch (error) {
      const unchanged = await this.#store.finishAction(user, item.id, token, undefined);
      // Devices showing the buttons pending get the item back as it was.
      if (unchanged) await this.#publishUpdated(user, unchanged);
      if (error instanceof HttpStatusError) throw error;
      throw new HttpStatusError(502, 'action-failed', `The application did not run "${action.id}" (${error instanceof Error ? error.message : String(error)}); try again.`);
    }
    const shown = typeof label === 'string' && label.trim() !== '' ? label.trim().slice(0, INBOX_LABEL_MAX) : action.label;
    const result = { action: action.id, label: shown, time: Date.now() };
    const done = await this.#store.finishAction(user, item.id, token, result);
    if (!done) throw new HttpStatusError(409, 'action-taken', 'The action took longer than its claim and another request ran it; reload the item.');
    if (this.#onAction && this.#webhook) {
      // The hook decided; the webhook is told what ran, and its answer is not read.
      this.#webhook.deliver({ ...payload, item: done, result }, idempotencyKey).catch(() => undefined);
    }
    const counts = await this.#publishUpdated(user, done);
    return { status: 'done', item: done, counts };
  }

  /** Which devices get it is decided now, with the tabs visible now; the sending does not hold up the sender. */
  async #pushAdded(user: string, item: InboxItem, replaces: number | undefined): Promise<void> {
    await this.push?.itemAdded(user, item, replaces).catch((error: unknown) => console.error('cometkit server: could not decide where to push', error instanceof Error ? error.message : error));
  }

  async #publishAdded(user: string, added: { item: InboxItem; replaces?: number }): Promise<void> {
    const data: InboxAddedData = { item: added.item, counts: await this.#store.counts(user), ...(added.replaces !== undefined ? { replaces: added.replaces } : {}) };
    await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.added', data });
  }

  async #publishUpdated(user: string, item: InboxItem): Promise<InboxCounts> {
    const counts = await this.#store.counts(user);
    const data: InboxUpdatedData = { item, counts };
    await this.#broker.publish({ channel: inboxChannel(user), type: 'inbox.updated', data });
    return counts;
  }
}

/** Checks a `POST {base}/inbox/snooze` body. */
export function checkSnooze(body: unknown, now: number): { ids: number[]; until: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpStatusError(400, 'bad-snooze', 'Send {"ids": [..], "until": <server time in ms>}.');
  const { ids, until } = body as Record<string, unknown>;
  const id = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > INBOX_IDS_MAX || !ids.every(id)) {
    throw new HttpStatusError(400, 'bad-snooze', `"ids" must list 1 to ${INBOX_IDS_MAX} item ids (positive integers).`);
  }
  if (typeof until !== 'number' || !Number.isSafeInteger(until) || until <= now || until > now + INBOX_SNOOZE_MAX_MS) {
    throw new HttpStatusError(400, 'bad-snooze', '"until" must be a server time in ms in the future, at most 366 days ahead.');
  }
  return { ids: [...new Set(ids)], until };
}

/** Checks a `POST {base}/inbox/action` body. */
export function checkActionRequest(body: unknown): { id: number; action: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpStatusError(400, 'bad-action', 'Send {"id": <item id>, "action": "<action id>"}.');
  const { id, action } = body as Record<string, unknown>;
  if (!Number.isSafeInteger(id) || (id as number) < 1) throw new HttpStatusError(400, 'bad-action', '"id" must be an item id (a positive integer).');
  if (typeof action !== 'string' || !INBOX_NAME_PATTERN.test(action)) throw new HttpStatusError(400, 'bad-action', '"action" must be an action id: 1-64 of A-Z a-z 0-9 _ . : -.');
  return { id: id as number, action };
}

/** Checks a `POST {base}/inbox/state` body. */
export function checkInboxChange(body: unknown): InboxChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpStatusError(400, 'bad-change', 'Send {"ids": [..] | "upTo": id, "seen"?, "read"?, "archived"?}.');
  }
  const { ids, upTo, seen, read, archived } = body as Record<string, unknown>;
  const set: { seen?: boolean; read?: boolean; archived?: boolean } = {};
  for (const [name, value] of [['seen', seen], ['read', read], ['archived', archived]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new HttpStatusError(400, 'bad-change', `"${name}" must be true or false.`);
    set[name] = value;
  }
  if (Object.keys(set).length === 0) throw new HttpStatusError(400, 'bad-change', 'Say what to change: "seen", "read" and/or "archived".');
  const id = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;
  if ((ids === undefined) === (upTo === undefined)) throw new HttpStatusError(400, 'bad-change', 'Name the items with either "ids" or "upTo", not both.');
  if (upTo !== undefined) {
    if (!id(upTo)) throw new HttpStatusError(400, 'bad-change', '"upTo" must be an item id (a positive integer).');
    return { upTo, set };
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > INBOX_IDS_MAX || !ids.every(id)) {
    throw new HttpStatusError(400, 'bad-change', `"ids" must list 1 to ${INBOX_IDS_MAX} item ids (positive integers).`);
  }
  return { ids: [...new Set(ids)], set };
}
