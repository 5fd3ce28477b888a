import { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import type { CometEvent } from '../protocol/messages.js';
import { isValidChannel } from '../protocol/channel.js';
import { requestJson, type ServerAccess } from '../http/server-request.js';
import {
  InboxAddedEvent,
  InboxChangedEvent,
  InboxErrorEvent,
  InboxPreferencesEvent,
  InboxResyncEvent,
  InboxSnoozedEvent,
  InboxUpdatedEvent,
  type InboxEventMap,
} from './inbox-events.js';
import {
  INBOX_IDS_MAX,
  INBOX_PAGE_MAX,
  type InboxActionAnswer,
  type InboxAddedData,
  type InboxPreferencesAnswer,
  type InboxPreferencesPatch,
  type InboxSnoozeAnswerJson,
  type InboxSnoozedData,
  type InboxUpdatedData,
  type InboxChange,
  type InboxChangedData,
  type InboxCountsAnswerJson,
  type InboxCounts,
  type InboxFilter,
  type InboxFlags,
  type InboxItem,
  type InboxPage,
} from '../protocol/inbox-protocol.js';

export interface InboxListOptions {
  /** Default `all` (not archived). */
  readonly filter?: InboxFilter;
  /** Items older than this id: the `next` of the previous page. */
  readonly before?: number;
  /** 1-100, default 20. */
  readonly limit?: number;
}

interface InboxDeps extends ServerAccess {
  /** The user on a server without tokens (the client's `identity`). */
  readonly user: string | undefined;
  subscribe(channel: string, handler: (event: CometEvent) => void, onGap: () => void): { unsubscribe(): void; readonly ready: Promise<void> };
}

export interface Inbox {
  addEventListener<K extends keyof InboxEventMap>(type: K, listener: (this: Inbox, event: InboxEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof InboxEventMap>(type: K, listener: (this: Inbox, event: InboxEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

const isItem = (value: unknown): value is InboxItem => typeof value === 'object' && value !== null && Number.isSafeInteger((value as InboxItem).id);
const isPreferences = (value: unknown): value is InboxPreferencesAnswer => {
  const answer = value as InboxPreferencesAnswer | null;
  return typeof answer?.preferences?.enabled === 'boolean' && typeof answer.preferences.categories === 'object' && Array.isArray(answer.critical);
};

function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const isCounts = (value: unknown): value is InboxCounts =>
  typeof value === 'object' && value !== null && ['total', 'unseen', 'unread'].every((key) => Number.isFinite((value as Record<string, unknown>)[key]));

/**
 * The user's notification inbox kept by the server (`client.inbox()`):
 * pages of items, counts, and changes of state that every device of the
 * user sees live through the user's own channel.
 */
export class Inbox extends EventTarget {
  readonly #deps: InboxDeps;
  #counts: InboxCounts | undefined;
  #channel: string | undefined;
  #subscription: { unsubscribe(): void; readonly ready: Promise<void> } | undefined;
  #started: Promise<void> | undefined;
  #newest = 0;
  #closed = false;

  /** @internal Made by the client; use `client.inbox()`. */
  constructor(deps: InboxDeps) {
    super();
    this.#deps = deps;
  }

  /** Counts of items not archived (`unseen`, `unread`, `total`), once known; kept current by live changes. */
  get counts(): InboxCounts | undefined {
    return this.#counts;
  }

  /** The user's inbox channel, once the server named it. */
  get channel(): string | undefined {
    return this.#channel;
  }

  /** Resolves once counts are known and changes arrive live. */
  start(): Promise<void> {
    this.#started ??= this.#follow().catch((error: unknown) => {
      this.#started = undefined;
      throw error;
    });
    return this.#started;
  }

  /** One page, newest first; `next` is the `before` of the following (older) page, null at the end. */
  async list(options: InboxListOptions = {}): Promise<InboxPage> {
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > INBOX_PAGE_MAX) throw new CometError('invalid-option', `limit must be an integer from 1 to ${INBOX_PAGE_MAX}.`);
    const { body } = await requestJson<InboxPage>(this.#deps, {
      method: 'GET',
      path: 'inbox',
      query: { filter: options.filter ?? 'all', before: options.before, limit, user: this.#deps.user },
      purpose: 'the inbox',
    });
    if (!Array.isArray(body.items) || !isCounts(body.counts)) throw new HttpStatusError(502, 'bad-response', 'The inbox answer holds no items or counts.');
    this.#learnChannel(body.channel);
    for (const item of body.items) this.#newest = Math.max(this.#newest, item.id);
    return body;
  }

  markSeen(ids: readonly number[]): Promise<InboxCounts> {
    return this.update({ ids, set: { seen: true } });
  }

  /** Read items are seen too. */
  markRead(ids: readonly number[], read = true): Promise<InboxCounts> {
    return this.update({ ids, set: { read } });
  }

  archive(ids: readonly number[], archived = true): Promise<InboxCounts> {
    return this.update({ ids, set: { archived } });
  }

  /** Marks every item up to the newest this inbox has seen as read (the newest on the server when none yet). */
  async markAllRead(): Promise<InboxCounts> {
    if (this.#newest === 0) await this.list({ limit: 1 });
    if (this.#newest === 0) return this.#counts ?? { total: 0, unseen: 0, unread: 0 };
    return this.update({ upTo: this.#newest, set: { read: true } });
  }

  /** Applies a change on the server; resolves to the new counts. Rejects with the server's refusal. */
  async update(change: InboxChange): Promise<InboxCounts> {
    const flags: InboxFlags = change.set;
    const body: Record<string, unknown> = { ...flags };
    if ('upTo' in change) body['upTo'] = change.upTo;
    else {
      if (change.ids.length === 0) return this.#counts ?? { total: 0, unseen: 0, unread: 0 };
      if (change.ids.length > INBOX_IDS_MAX) throw new CometError('invalid-option', `At most ${INBOX_IDS_MAX} ids per change.`);
      body['ids'] = [...change.ids];
    }
    const { body: answer } = await requestJson<InboxCountsAnswerJson>(this.#deps, {
      method: 'POST',
      path: 'inbox/state',
      query: { user: this.#deps.user },
      body,
      purpose: 'changing the inbox',
    });
    if (!isCounts(answer.counts)) throw new HttpStatusError(502, 'bad-response', 'The inbox answer holds no counts.');
    this.#learnChannel(answer.channel);
    return answer.counts;
  }

  /** The user's preferences per category and channel, and the categories the application keeps unmuted. */
  async preferences(): Promise<InboxPreferencesAnswer> {
    return this.#preferencesRequest('GET', undefined);
  }

  /**
   * Changes some preferences (channels not named keep their value); resolves
   * to all of them. Rejects with `critical-category` when it would mute a
   * critical category, changing nothing. The user's other devices get a
   * `preferences` event.
   */
  setPreferences(patch: InboxPreferencesPatch): Promise<InboxPreferencesAnswer> {
    return this.#preferencesRequest('PUT', patch);
  }

  /**
   * Runs an item's action on the server, once however many devices or
   * retries ask: resolves to `done` with the item (its `result` set, its
   * actions gone) or `pending` when the application has not answered yet
   * (the item then comes as an `updated` event). A lost answer is asked
   * again with the same idempotency key.
   */
  async runAction(id: number, action: string): Promise<InboxActionAnswer> {
    // The server checks id and action (400 bad-action says what is wrong): nothing to repeat here.
    const key = randomKey();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { body } = await requestJson<InboxActionAnswer>(this.#deps, {
          method: 'POST',
          path: 'inbox/action',
          query: { user: this.#deps.user },
          body: { id, action },
          headers: { 'Idempotency-Key': key },
          purpose: 'running an action',
        });
        return body;
      } catch (error) {
        // Only a lost answer is asked again: a refusal says the request itself is wrong.
        if (attempt >= 3 || (error as { name?: unknown } | null)?.name !== 'NetworkError') throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** (attempt - 1)));
      }
    }
  }

  /** Hides items (1-500 ids) on every device of the user until `until` (a Date, or server time in ms); they come back unread. */
  async snooze(ids: readonly number[], until: number | Date): Promise<InboxCounts> {
    const at = typeof until === 'number' ? until : until.getTime();
    const { body } = await requestJson<InboxSnoozeAnswerJson>(this.#deps, {
      method: 'POST',
      path: 'inbox/snooze',
      query: { user: this.#deps.user },
      body: { ids: [...ids], until: Math.floor(at) },
      purpose: 'snoozing',
    });
    if (!isCounts(body.counts)) throw new HttpStatusError(502, 'bad-response', 'The snooze answer holds no counts.');
    this.#learnChannel(body.channel);
    return body.counts;
  }

  /** @internal Stops following; the client calls it when it closes. */
  close(): void {
    this.#closed = true;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  async #preferencesRequest(method: 'GET' | 'PUT', patch: InboxPreferencesPatch | undefined): Promise<InboxPreferencesAnswer> {
    const { body } = await requestJson<InboxPreferencesAnswer>(this.#deps, {
      method,
      path: 'inbox/preferences',
      query: { user: this.#deps.user },
      ...(patch === undefined ? {} : { body: patch }),
      purpose: 'the inbox preferences',
    });
    if (!isPreferences(body)) throw new HttpStatusError(502, 'bad-response', 'The preferences answer holds no preferences.');
    this.#learnChannel(body.channel);
    return body;
  }

  async #follow(): Promise<void> {
    if (this.#closed) throw new CometError('client-closed', 'This client is closed.');
    await this.#refreshCounts();
    const channel = this.#channel;
    if (!channel) throw new HttpStatusError(502, 'bad-response', 'The server named no inbox channel.');
    this.#subscription ??= this.#deps.subscribe(channel, (event) => this.#onEvent(event), () => void this.#resync());
    await this.#subscription.ready;
    // Changes made between the first count and the stream carrying the channel are in this one.
    await this.#resync();
  }

  async #refreshCounts(): Promise<void> {
    const { body } = await requestJson<InboxCountsAnswerJson>(this.#deps, { method: 'GET', path: 'inbox/counts', query: { user: this.#deps.user }, purpose: 'the inbox counts' });
    if (!isCounts(body.counts)) throw new HttpStatusError(502, 'bad-response', 'The inbox answer holds no counts.');
    this.#learnChannel(body.channel);
    this.#counts = body.counts;
  }

  async #resync(): Promise<void> {
    try {
      await this.#refreshCounts();
      if (this.#counts) this.dispatchEvent(new InboxResyncEvent(this.#counts));
    } catch (error) {
      this.dispatchEvent(new InboxErrorEvent(error instanceof CometError ? error : new CometError('inbox-failed', String(error), { cause: error })));
    }
  }

  #learnChannel(channel: unknown): void {
    if (this.#channel === undefined && isValidChannel(channel)) this.#channel = channel;
  }

  #onEvent(event: CometEvent): void {
    if (event.type === 'inbox.added') {
      const data = event.data as InboxAddedData;
      if (!data?.item || !Number.isSafeInteger(data.item.id) || !isCounts(data.counts)) return;
      this.#newest = Math.max(this.#newest, data.item.id);
      this.#counts = data.counts;
      this.dispatchEvent(new InboxAddedEvent(data.item, data.counts, Number.isSafeInteger(data.replaces) ? data.replaces : undefined));
    } else if (event.type === 'inbox.changed') {
      const data = event.data as InboxChangedData;
      const change = data?.change;
      if (!change || typeof change.set !== 'object' || !isCounts(data.counts)) return;
      if (!('upTo' in change ? Number.isSafeInteger(change.upTo) : Array.isArray(change.ids))) return;
      this.#counts = data.counts;
      this.dispatchEvent(new InboxChangedEvent(change, data.counts));
    } else if (event.type === 'inbox.updated') {
      const data = event.data as InboxUpdatedData;
      if (!isItem(data?.item) || !isCounts(data.counts)) return;
      this.#counts = data.counts;
      this.dispatchEvent(new InboxUpdatedEvent(data.item, data.counts));
    } else if (event.type === 'inbox.snoozed') {
      const data = event.data as InboxSnoozedData;
      if (!Array.isArray(data?.ids) || !Number.isFinite(data.until) || !isCounts(data.counts)) return;
      this.#counts = data.counts;
      this.dispatchEvent(new InboxSnoozedEvent(data.ids, data.until, data.counts));
    } else if (event.type === 'inbox.preferences') {
      if (!isPreferences(event.data)) return;
      this.dispatchEvent(new InboxPreferencesEvent(event.data.preferences, event.data.critical));
    }
  }
}
