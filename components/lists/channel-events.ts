import type { ReactiveController } from 'lit';
import type { CometClient, Subscription } from '../../src/client/client.js';
import { positionOf, type CometEvent } from '../../src/protocol/messages.js';
import { comparePositions, type Position } from '../../src/protocol/position.js';
import { isHttpStatusError } from '../../src/errors/http-status-error.js';
import type { ClientHost } from '../shared/comet-element.js';

/**
 * Most events read from history when an element starts: a screenful many
 * times over. Longer lists fill from live events.
 */
const HISTORY_LIMIT = 100;

const isBadLimit = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'bad-limit';

export type ChannelStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Stands for an event without a position (one a page made itself): of no epoch, so ordered with none. */
const NO_POSITION: Position = { epoch: '', seq: 0 };

function newestFirst(a: CometEvent, b: CometEvent): number {
  // Same time: the later position first, as the client parsed it where the event entered the browser (live or
  // history); no id is read again per comparison. Two epochs are not ordered (NaN): such events keep their order.
  return b.time - a.time || comparePositions(positionOf(b) ?? NO_POSITION, positionOf(a) ?? NO_POSITION) || 0;
}

export interface ChannelEventsOptions {
  channel(): string;
  limit(): number;
  /** Each live event, as it arrives (not those from history). */
  onLive?(event: CometEvent): void;
  /** After a batch of live events was added to `items`; `count` is how many. */
  onAdded?(count: number): void;
}

/**
 * A channel's recent events for an element, newest first: live events
 * subscribed first, history read after, merged once by id, so nothing that
 * arrives in between is lost or doubled. Live events are added in batches,
 * at most once a frame, so a burst costs one render and one array copy
 * rather than one per event.
 */
export class ChannelEvents implements ReactiveController {
  items: readonly CometEvent[] = [];
  status: ChannelStatus = 'idle';
  error = '';
  /** Whether reading again may help the error: only then is Retry offered. */
  recoverable = true;
  readonly #host: ClientHost;
  readonly #options: ChannelEventsOptions;
  #subscription: Subscription | undefined;
  #subscribedTo: { client: CometClient; channel: string } | undefined;
  #incoming: CometEvent[] = [];
  #flushScheduled = false;
  /**
   * Ids the history reads added. Live events are deduplicated by the client,
   * so only these can come twice: read by a history answer that landed
   * before their live copy. A flush checks these, not every item held.
   */
  #fromHistory = new Set<string>();

  constructor(host: ClientHost, options: ChannelEventsOptions) {
    this.#host = host;
    this.#options = options;
    // Also how it connects: the element calls its watchers as it connects and finds its client.
    host.watchClient(() => this.sync());
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#unsubscribe();
  }

  /** Follows the channel and client the element asks for now; cheap when nothing changed. */
  sync(): void {
    const client = this.#host.client;
    const channel = this.#options.channel();
    if (!this.#host.isConnected || !client || !channel) {
      this.#unsubscribe();
      return;
    }
    if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === channel) return;
    this.#unsubscribe();
    this.items = [];
    this.#incoming = [];
    this.#fromHistory = new Set();
    try {
      this.#subscription = client.subscribe(channel, (event) => {
        this.#incoming.push(event);
        this.#options.onLive?.(event);
        this.#scheduleFlush();
      });
    } catch (error) {
      // A channel no server accepts (`invalid-channel`): said in the element, where its author looks, not thrown into Lit's update.
      this.#failed(error, false);
      return;
    }
    this.#subscribedTo = { client, channel };
    // History is read once the stream carries the channel: an event published
    // before that is in history, one after it arrives live, none falls between.
    // If the stream fails instead (`ready` rejects, or an error event), history is read anyway: it may
    // work, or it says why nothing will.
    const subscription = this.#subscription as Subscription & { ready?: Promise<void> };
    this.status = 'loading';
    let onError: () => void = () => {};
    let onClosed: () => void = () => {};
    const failed = new Promise<void>((resolve) => {
      onError = resolve;
      onClosed = () => client.state === 'closed' && resolve();
      client.addEventListener('error', onError);
      client.addEventListener('statechange', onClosed);
    });
    const settled = client.state === 'closed' ? Promise.resolve() : Promise.race([(subscription.ready ?? Promise.resolve()).catch(() => {}), failed]);
    void settled.then(() => {
      client.removeEventListener('error', onError);
      client.removeEventListener('statechange', onClosed);
      if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === channel) this.#load(client, channel);
    });
  }

  /** Reads history again after an error. */
  retry(): void {
    const taken = this.#subscribedTo;
    if (taken) this.#load(taken.client, taken.channel);
  }

  /** Applies a new limit at once. */
  trim(): void {
    const limit = this.#limit;
    if (this.items.length > limit) {
      this.items = this.items.slice(0, limit);
      this.#host.requestUpdate();
    }
  }

  get #limit(): number {
    const limit = this.#options.limit();
    return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 50;
  }

  #load(client: CometClient, channel: string): void {
    this.status = 'loading';
    this.error = '';
    this.#host.requestUpdate();
    const current = (): boolean => this.#subscribedTo?.client === client && this.#subscribedTo.channel === channel;
    client.history(channel, { limit: Math.min(this.#limit, HISTORY_LIMIT) }).catch(async (error: unknown) => {
      // A server keeping less history refuses the limit (bad-limit): ask for less until it fits.
      for (let limit = Math.min(this.#limit, HISTORY_LIMIT) >> 1; isBadLimit(error) && limit >= 1; limit >>= 1) {
        try {
          return await client.history(channel, { limit });
        } catch (next) {
          error = next;
        }
      }
      throw error;
    }).then(
      (events) => {
        if (!current()) return;
        // Live events wait in #incoming until the next frame: history read meanwhile holds them too,
        // and adding them here as well would show them twice once the frame flushes them.
        const seen = new Set([...this.items, ...this.#incoming].map((event) => event.id));
        const older = events.filter((event) => !seen.has(event.id));
        for (const event of older) this.#fromHistory.add(event.id);
        this.items = [...this.items, ...older].sort(newestFirst).slice(0, this.#limit);
        this.status = 'ready';
        this.#host.requestUpdate();
      },
      (error: unknown) => {
        if (!current()) return;
        // A refusal a retry cannot change (a 404, a refused origin) offers no Retry; nor does a client that stops
        // (an expired fixed token closes it), now or while the error is shown.
        const recoverable = client.state !== 'closed' && !(isHttpStatusError(error) && !error.retryable && error.status !== 401);
        this.#failed(error, recoverable);
        if (recoverable) this.#watchForStop(client, current);
      },
    );
  }

  #stopWatching: (() => void) | undefined;

  #watchForStop(client: CometClient, current: () => boolean): void {
    this.#stopWatching?.();
    const onState = (): void => {
      if (client.state !== 'closed') return;
      this.#stopWatching?.();
      if (current() && this.status === 'error') this.#failed(this.error, false);
    };
    client.addEventListener('statechange', onState);
    this.#stopWatching = () => {
      client.removeEventListener('statechange', onState);
      this.#stopWatching = undefined;
    };
  }

  #failed(error: unknown, recoverable: boolean): void {
    this.status = 'error';
    this.error = error instanceof Error ? error.message : String(error);
    this.recoverable = recoverable;
    this.#host.requestUpdate();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // A hidden tab runs no animation frames; a timer still delivers there, if throttled.
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(() => this.#flush());
    else setTimeout(() => this.#flush(), 50);
  }

  #flush(): void {
    this.#flushScheduled = false;
    const incoming = this.#incoming;
    if (incoming.length === 0) return;
    this.#incoming = [];
    // History read while the stream already carried the channel may hold events that then also arrive live.
    const added = this.#fromHistory.size === 0 ? incoming : incoming.filter((event) => !this.#fromHistory.has(event.id));
    if (added.length === 0) return;
    const limit = this.#limit;
    const fresh = added.length > limit ? added.slice(-limit) : added;
    fresh.reverse();
    this.items = fresh.length >= limit ? fresh : [...fresh, ...this.items.slice(0, limit - fresh.length)];
    this.#options.onAdded?.(added.length);
    this.#host.requestUpdate();
  }

  #unsubscribe(): void {
    this.#stopWatching?.();
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#subscribedTo = undefined;
    this.#flushScheduled = false;
    this.#incoming = [];
    this.status = 'idle';
  }
}
