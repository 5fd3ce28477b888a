import { CometError } from '../errors/comet-error.js';
import { isValidChannel } from '../protocol/channel.js';
import type { CometEvent, GapFrame } from '../protocol/messages.js';
import type { TransportName } from '../protocol/transport-name.js';
import { fetchHistory } from './fetch-history.js';
import { PresenceManager, type PresenceIdentity, type PresenceOptions } from '../presence/presence-manager.js';
import type { PresenceRoster } from '../presence/presence-roster.js';
import { sseTransport } from '../transports/sse-transport.js';
import type { Transport } from '../transports/transport.js';
import type { BackoffOptions } from '../upstream/backoff.js';
import { Upstream, type ConnectionState, type TokenSource } from '../upstream/upstream.js';
import { CometErrorEvent, CometGapEvent, CometStateEvent, type CometClientEventMap } from './events.js';

export interface ClientOptions {
  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  readonly url: string;
  /** A token, or a function returning one (called again for each connection, and once more after a 401). */
  readonly token?: TokenSource;
  /** Send cookies to a push server on another origin. Default false. */
  readonly withCredentials?: boolean;
  /** Backoff between reconnects. Default 1 s base, 30 s cap, full jitter. */
  readonly reconnect?: BackoffOptions;
  /** How long to wait for the server's hello (ms). Default 10000. */
  readonly helloTimeoutMs?: number;
  /** Subscription changes within this window (ms) re-open the stream once. Default 10. */
  readonly batchDelayMs?: number;
  /** Who this client is for presence when the server accepts it without a token (a demo); a token's user always wins. */
  readonly identity?: PresenceIdentity;
}

export type EventHandler<Data = unknown> = (event: CometEvent<Data>) => void;

export interface SubscribeOptions {
  /** Called when the server could not replay everything this channel missed. */
  readonly onGap?: (gap: GapFrame) => void;
}

export interface Subscription {
  readonly channel: string;
  unsubscribe(): void;
}

interface Entry {
  readonly handler: EventHandler;
  readonly onGap: ((gap: GapFrame) => void) | undefined;
}

/** Reports a throwing handler without stopping delivery to the others. */
function report(error: unknown): void {
  if (typeof reportError === 'function') reportError(error);
  else setTimeout(() => { throw error; });
}

export interface CometClient {
  addEventListener<K extends keyof CometClientEventMap>(
    type: K,
    listener: (this: CometClient, event: CometClientEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CometClientEventMap>(
    type: K,
    listener: (this: CometClient, event: CometClientEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * A connection to a cometkit server, shared by every subscription made
 * through it. Handlers receive each event of their channel once, in order.
 */
export class CometClient extends EventTarget {
  readonly #entries = new Map<string, Set<Entry>>();
  readonly #upstream: Upstream;
  readonly #options: ClientOptions;
  #presence: PresenceManager | undefined;

  constructor(options: ClientOptions, transports: readonly Transport[] = [sseTransport]) {
    super();
    this.#options = options;
    if (typeof options?.url !== 'string' || options.url === '') {
      throw new CometError('invalid-option', 'createClient() needs a `url`: the base URL of the push server, e.g. "/comet".');
    }
    this.#upstream = new Upstream(
      { ...options, transports },
      {
        event: (event) => this.#deliver(event),
        gap: (gap) => {
          for (const entry of this.#entries.get(gap.channel) ?? []) entry.onGap?.(gap);
          this.dispatchEvent(new CometGapEvent(gap));
        },
        state: (state, previous, error) => this.dispatchEvent(new CometStateEvent(state, previous, error)),
        error: (error) => this.dispatchEvent(new CometErrorEvent(error)),
      },
    );
  }

  get state(): ConnectionState {
    return this.#upstream.state;
  }

  /** The transport carrying the current stream, once one is open. */
  get transport(): TransportName | undefined {
    return this.#upstream.transport;
  }

  subscribe<Data = unknown>(channel: string, handler: EventHandler<Data>, options: SubscribeOptions = {}): Subscription {
    if (!isValidChannel(channel)) {
      throw new CometError('invalid-channel', `"${String(channel).slice(0, 80)}" is not a valid channel: use 1-128 of A-Z a-z 0-9 _ . : @ / -.`);
    }
    if (typeof handler !== 'function') throw new CometError('invalid-handler', 'subscribe() needs a handler function.');
    const entry: Entry = { handler: handler as EventHandler, onGap: options.onGap };
    let entries = this.#entries.get(channel);
    if (!entries) {
      entries = new Set();
      this.#entries.set(channel, entries);
      this.#upstream.setChannels(this.#entries.keys());
    }
    entries.add(entry);
    let active = true;
    return {
      channel,
      unsubscribe: () => {
        if (!active) return;
        active = false;
        entries.delete(entry);
        if (entries.size === 0 && this.#entries.get(channel) === entries) {
          this.#entries.delete(channel);
          this.#upstream.setChannels(this.#entries.keys());
        }
      },
    };
  }

  /**
   * The last `limit` events of a channel the server still holds, oldest
   * first. Live events arrive through `subscribe()`; an event in both has
   * the same `id`.
   */
  async history<Data = unknown>(channel: string, options: { limit?: number } = {}): Promise<CometEvent<Data>[]> {
    const token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
    const events = await fetchHistory(this.#options.url, channel, options.limit ?? 50, token, this.#options.withCredentials ?? false);
    return events as CometEvent<Data>[];
  }

  /**
   * Who is on `channel`, live, counting this client as present unless
   * `announce` is false. Each user is one member however many tabs or
   * devices they have. `release()` the roster when done.
   */
  presence(channel: string, options: PresenceOptions = {}): PresenceRoster {
    this.#presence ??= new PresenceManager({
      url: this.#options.url,
      token: this.#options.token,
      withCredentials: this.#options.withCredentials ?? false,
      identity: this.#options.identity,
      subscribe: (presenceChannel, handler, onGap) => this.subscribe(presenceChannel, handler, { onGap }),
    });
    return this.#presence.roster(channel, options);
  }

  /** Reconnects at once if waiting between retries (e.g. after the device came back online). */
  retryNow(): void {
    this.#upstream.retryNow();
  }

  /** Closes the connection; subscriptions stop receiving. */
  close(): void {
    this.#presence?.close();
    this.#entries.clear();
    this.#upstream.close();
  }

  #deliver(event: CometEvent): void {
    for (const entry of this.#entries.get(event.channel) ?? []) {
      try {
        entry.handler(event);
      } catch (error) {
        report(error);
      }
    }
  }
}

export function createClient(options: ClientOptions): CometClient {
  return new CometClient(options);
}
