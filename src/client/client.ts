import { DEV, advice } from '../dev.js';
import { CometError } from '../errors/comet-error.js';
import { isValidChannel } from '../protocol/channel.js';
import type { CometEvent, Gap } from '../protocol/messages.js';
import type { TransportName } from '../protocol/transport-name.js';
import type { TransportDecision } from '../upstream/ladder-decision.js';
import { loadModule } from '../errors/module-load-error.js';
import type { PresenceOptions } from '../presence/presence-manager.js';
import type { SendOptions } from './send.js';
import type { ServerAccess } from '../http/server-request.js';
import type { Inbox } from '../inbox/inbox.js';
import type { PushState, PushSubscribeOptions } from '../push/push-client.js';
import type { PresenceRoster } from '../presence/presence-roster.js';
import type { Transport } from '../transports/transport.js';
import type { ConnectionState } from '../upstream/upstream.js';
import { resolveToken } from '../upstream/token-source.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { PositionedEvent } from '../protocol/messages.js';
import { isAtOrBefore, type Position } from '../protocol/position.js';
import { CLIENT_OPTIONS, HUB_OPTION_NAMES, optionProblem, type ClientOptions, type HubRunOptions } from '../hub/client-options.js';
import { checkHubMessage, fromWireError, type HubMessage, type RefusedMessage } from '../hub/hub-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION, type HostKind } from '../hub/port-protocol.js';
import type { TabMessage, TabMessageBody } from '../hub/tab-messages.js';
import { HostConnection } from './host-connection.js';
import { watchPageLifecycle } from './page-lifecycle.js';
import { warnIgnoredHubOptions } from './ignored-hub-options.js';
import { logMisconfiguration } from './misconfiguration.js';
import { LazyPresence } from './lazy-presence.js';
import { pushDevice } from '../push/push-device.js';

export type { ClientOptions };
import { CometErrorEvent, CometGapEvent, CometStateEvent, CometTransportDecisionEvent, type CometClientEventMap } from './events.js';

/** `client.push`: Web Push for this browser. */
export interface PushControl {
  /** Call from a user gesture: asks for permission, subscribes with the server's key, and tells the server this device. */
  subscribe(options?: PushSubscribeOptions): Promise<PushState>;
  unsubscribe(options?: PushSubscribeOptions): Promise<PushState>;
  state(options?: PushSubscribeOptions): Promise<PushState>;
}

export type EventHandler<Data = unknown> = (event: CometEvent<Data>) => void;

export interface SubscribeOptions {
  /** Called when the server could not replay everything this channel missed. */
  readonly onGap?: (gap: Gap) => void;
}

export interface Subscription {
  readonly channel: string;
  /**
   * Resolves once the stream carries this channel: events published from
   * then on reach the handler. (A subscription made while the stream is
   * re-opening for another channel is not live until the new stream is.)
   * Rejects if that can no longer happen, with a `CometError`: `unsubscribed`
   * when `unsubscribe()` came first, `client-closed` when the client was
   * closed, or the fatal error that closed the connection (e.g.
   * `token-missing`). A page that never awaits it sees no unhandled rejection.
   */
  readonly ready: Promise<void>;
  unsubscribe(): void;
}

interface Entry {
  readonly handler: EventHandler;
  readonly onGap: ((gap: Gap) => void) | undefined;
  /** Settles the subscription's `ready`: resolves without a reason, rejects with one; once settled, a no-op. */
  readonly settle: (reason?: CometError) => void;
}

const closedError = (): CometError => new CometError('client-closed', 'This client is closed.');

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

/** Internal construction options, for tests and for the transports work; not part of the public API. */
export interface ClientInternals {
  /** Transports for a hub started in this page, best first. */
  readonly transports?: readonly Transport[];
  /** Port protocol version this client speaks (tests of version mismatches). */
  readonly protocolVersion?: number;
}

function randomHex(length = 12): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A connection to a cometkit server, shared by every subscription made
 * through it, and by every tab of the browser through the hub (see
 * ARCHITECTURE.md). Handlers receive each event of their channel once, in order.
 */
export class CometClient extends EventTarget {
  readonly #entries = new Map<string, Set<Entry>>();
  /** What this tab has received per channel: it drops replays, and resumes a new hub after a handover. */
  readonly #positions = new Map<string, Position>();
  readonly #options: ClientOptions;
  readonly #internals: ClientInternals;
  /** This tab's id in the hub: a new one after each return from the cache (see #rejoin). */
  #tab = randomHex();
  /**
   * What proves this tab's messages are its own (see port-protocol.ts): sent
   * only to the hub, never in a lock or channel name that other scripts of
   * the origin can list. Kept across a new id: the hub binds it per id.
   */
  readonly #secret = randomHex(16);
  /** Put in the back/forward cache or frozen: out of the hub, positions kept, until restored. */
  #suspended = false;
  readonly #connection: HostConnection;
  readonly #stopWatchingPage: () => void;
  #state: ConnectionState = 'idle';
  #transport: TransportName | undefined;
  #host: HostKind;
  #greeted = false;
  #closed = false;
  #presence: LazyPresence | undefined;
  #inbox: Promise<Inbox> | undefined;
  readonly #decisions: TransportDecision[] = [];

  constructor(options: ClientOptions, internals: ClientInternals = {}) {
    super();
    this.#options = options;
    this.#internals = internals;
    // Every option against its registry entry, here where the page can be told, rather than in a hub that could only drop the hello.
    for (const name of Object.keys(CLIENT_OPTIONS) as Array<keyof ClientOptions>) {
      const problem = optionProblem(name, (options as Partial<ClientOptions> | undefined)?.[name]);
      if (problem) throw new CometError('invalid-option', problem);
    }
    const { workerUrl, host = CLIENT_OPTIONS.host.default } = options;
    this.#connection = new HostConnection(
      {
        preference: host,
        workerUrl: workerUrl === undefined ? undefined : String(workerUrl),
        target: this.#target(),
        transports: internals.transports,
      },
      {
        linked: (host) => {
          this.#host = host;
          this.#greeted = false;
        },
        message: (data) => this.#receive(data),
        ready: () => {
          this.#hello();
          this.#reportVisibility();
        },
        lost: (error) => this.dispatchEvent(new CometErrorEvent(error)),
        failed: (error) => {
          this.#shutDown();
          this.dispatchEvent(new CometErrorEvent(error));
          this.#setState('closed', error);
        },
      },
    );
    this.#host = this.#connection.host;
    if (DEV) {
      this.addEventListener('error', (event) => logMisconfiguration(event.error));
      this.addEventListener('statechange', (event) => logMisconfiguration(event.error));
    }
    this.#stopWatchingPage = watchPageLifecycle({
      wake: () => this.#post({ type: 'wake' }),
      visibility: () => this.#reportVisibility(),
      suspend: () => this.#suspend(),
      rejoin: () => this.#rejoin(),
      leave: () => this.#post({ type: 'bye' }),
    });
    void this.#connection.start();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The transport carrying the current stream, once one is open. */
  get transport(): TransportName | undefined {
    return this.#transport;
  }

  /**
   * Why the connection uses the transport it uses: each decision of the
   * transport ladder (start, downgrade, probe, switch back) with its reason,
   * oldest first. Also dispatched one by one as `transportdecision` events.
   */
  get decisions(): readonly TransportDecision[] {
    return this.#decisions;
  }

  /** Where the connection lives: a SharedWorker, a leader tab, or this tab alone. */
  get host(): HostKind {
    return this.#host;
  }

  /** Why `host` was chosen, including why better hosts were passed over. */
  get hostReason(): string {
    return this.#connection.reason;
  }

  subscribe<Data = unknown>(channel: string, handler: EventHandler<Data>, options: SubscribeOptions = {}): Subscription {
    if (!isValidChannel(channel)) {
      throw new CometError('invalid-channel', `"${String(channel).slice(0, 80)}" is not a valid channel.${advice('Use 1-128 of A-Z a-z 0-9 _ . : @ / -.')}`);
    }
    if (typeof handler !== 'function') throw new CometError('invalid-handler', 'subscribe() needs a handler function.');
    let settle!: Entry['settle'];
    const ready = new Promise<void>((resolve, reject) => (settle = (reason) => (reason ? reject(reason) : resolve())));
    // Rejections are part of the contract, not failures of the page: one that nobody awaits stays quiet.
    ready.catch(() => {});
    const entry: Entry = { handler: handler as EventHandler, onGap: options.onGap, settle };
    let entries = this.#entries.get(channel);
    if (!entries) {
      entries = new Set();
      this.#entries.set(channel, entries);
      this.#sendChannels();
    }
    entries.add(entry);
    // Between shutting down and the `closed` state, the state change rejects it with the others.
    if (this.#state === 'closed') settle(closedError());
    else if (this.#positions.has(channel)) settle();
    return {
      channel,
      ready,
      // Twice is harmless: the set no longer holds the entry, a settled promise ignores the second reason.
      unsubscribe: () => {
        settle(new CometError('unsubscribed', `Unsubscribed from ${channel}.`));
        entries.delete(entry);
        if (entries.size === 0 && this.#entries.get(channel) === entries) {
          this.#entries.delete(channel);
          // A channel subscribed again later starts from "now", like any new subscription.
          this.#positions.delete(channel);
          this.#sendChannels();
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
    // Loaded on first use: most pages never read history.
    const { fetchHistory } = await loadModule('history', () => import('./fetch-history.js'));
    const events = await fetchHistory(this.#access(), channel, options.limit ?? 50);
    return events as CometEvent<Data>[];
  }

  /**
   * Publishes `data` on `channel` from this page (`POST {base}/send`, with
   * this client's token), whichever host and transport carry the stream.
   * Resolves to the stored event, whose `id` is its position; subscribers
   * (this page's too) receive it once through the stream. Retries a lost
   * answer under one idempotency key, so the event is stored once.
   */
  async send<Data = unknown>(channel: string, data: Data, options: SendOptions = {}): Promise<CometEvent<Data>> {
    if (this.#closed) throw new CometError('client-closed', `This client is closed.${advice('Create a new one to send.')}`);
    // Loaded on first use: a page that only reads does not carry the send code.
    const { sendEvent } = await loadModule('send', () => import('./send.js'));
    return sendEvent(this.#access(), channel, data, options);
  }

  /**
   * Who is on `channel`, live, counting this client as present unless
   * `announce` is false. Each user is one member however many tabs or
   * devices they have. `release()` the roster when done.
   */
  presence(channel: string, options: PresenceOptions = {}): PresenceRoster {
    if (this.#closed) throw new CometError('client-closed', `This client is closed.${advice('Create a new one to follow presence.')}`);
    this.#presence ??= new LazyPresence({
      ...this.#access(),
      identity: this.#options.identity,
      subscribe: (presenceChannel, handler, onGap) => this.subscribe(presenceChannel, handler, { onGap }),
    });
    return this.#presence.roster(channel, options);
  }

  /**
   * The user's notification inbox kept by the server: pages, counts, and
   * seen/read/archived changes that every device of the user sees live.
   * One per client; `start()` it to follow counts and changes. Its code
   * loads on first use, hence the promise.
   */
  inbox(): Promise<Inbox> {
    if (this.#closed) return Promise.reject(new CometError('client-closed', `This client is closed.${advice('Create a new one to read the inbox.')}`));
    this.#inbox ??= loadModule('inbox', () => import('../inbox/inbox.js')).then(
      ({ Inbox }) =>
        new Inbox({
          ...this.#access(),
          user: this.#options.identity?.user,
          subscribe: (channel, handler, onGap) => this.subscribe(channel, handler, { onGap }),
        }),
    );
    // A failed load may succeed on the next call.
    this.#inbox.catch(() => (this.#inbox = undefined));
    return this.#inbox;
  }

  /**
   * Web Push for this browser (README, Push): `subscribe()` asks for
   * notification permission, so call it from a click or key press (browsers
   * refuse to ask otherwise); its code loads then.
   */
  get push(): PushControl {
    const run = (name: keyof PushControl, options?: PushSubscribeOptions, permission?: Promise<NotificationPermission>): Promise<PushState> =>
      loadModule('push', () => import('../push/push-client.js')).then(({ PushClient }) =>
        new PushClient({ ...this.#access(), user: this.#options.identity?.user, reportVisibility: () => this.#reportVisibility() })[name](options, permission),
      );
    return {
      // Asked before the code loads: the user's gesture does not outlive the download in every browser.
      subscribe: (options) => run('subscribe', options, globalThis.Notification?.requestPermission()),
      unsubscribe: (options) => run('unsubscribe', options),
      state: (options) => run('state', options),
    };
  }

  /** Reconnects at once if waiting between retries (e.g. after the device came back online). */
  retryNow(): void {
    this.#post({ type: 'wake' });
  }

  /** Closes this client; its subscriptions stop receiving. The shared connection stays for other tabs. */
  close(): void {
    if (this.#closed) return;
    this.#presence?.close();
    void this.#inbox?.then((inbox) => inbox.close(), () => {});
    this.#post({ type: 'bye' });
    this.#shutDown();
    this.#setState('closed', undefined);
    this.#entries.clear();
  }

  #access(): ServerAccess {
    return { url: this.#options.url, token: this.#options.token, withCredentials: this.#options.withCredentials ?? false };
  }

  get #version(): number {
    return this.#internals.protocolVersion ?? PORT_PROTOCOL_VERSION;
  }

  #target(): { url: string; hub: string; tab: string; protocolVersion: number } {
    return {
      url: new URL(this.#options.url, globalThis.location?.href).href.replace(/\/+$/, ''),
      hub: this.#options.hub ?? CLIENT_OPTIONS.hub.default,
      tab: this.#tab,
      protocolVersion: this.#version,
    };
  }

  /** For Web Push, on a browser that subscribed: the hub tells the server whether any of its tabs is visible. */
  #reportVisibility(): void {
    const device = pushDevice();
    if (device === null || typeof document !== 'object') return;
    this.#post({ type: 'visibility', visible: document.visibilityState === 'visible', device, user: this.#options.identity?.user ?? null });
  }

  #hello(): void {
    if (this.#closed || !this.#connection.linked) return;
    const token = this.#options.token;
    const options: Record<string, unknown> = {};
    for (const name of HUB_OPTION_NAMES) {
      const value: unknown = this.#options[name] ?? (CLIENT_OPTIONS[name] as { readonly default?: unknown }).default;
      // Copied, not shared: a single-tab hub gets the message itself, and later changes to the caller's objects must not reach it.
      if (value !== undefined) options[name] = structuredClone(value);
    }
    options['url'] = this.#target().url;
    const channels = [...this.#entries.keys()];
    const mine = new Map<string, Position>();
    for (const channel of channels) {
      const position = this.#positions.get(channel);
      if (position) mine.set(channel, position);
    }
    this.#greeted = true;
    this.#post({
      type: 'hello',
      sdk: SDK_VERSION,
      options: options as unknown as HubRunOptions,
      token: typeof token === 'string' ? token : null,
      tokenFunction: typeof token === 'function',
      channels,
      cursor: mine,
    });
  }

  /** The channel has a position: the stream carries it. */
  #live(channel: string): void {
    for (const entry of this.#entries.get(channel) ?? []) entry.settle();
  }

  #sendChannels(): void {
    if (!this.#greeted) return;
    this.#post({ type: 'channels', channels: [...this.#entries.keys()] });
  }

  #post(message: TabMessageBody<TabMessage>): void {
    if (!this.#closed) this.#connection.post({ ...message, cometkit: this.#version, tab: this.#tab, secret: this.#secret } as TabMessage);
  }

  #receive(data: unknown): void {
    if (this.#closed) return;
    const message = checkHubMessage(data, this.#version);
    // Not the hub's, or mangled: dropped here rather than trusted.
    if (typeof message === 'string') return;
    this.#handle(message);
  }

  #handle(message: HubMessage | RefusedMessage): void {
    switch (message.type) {
      case 'welcome':
        if (DEV && message.options) {
          const target = this.#target();
          warnIgnoredHubOptions(this, { ...this.#options, url: target.url }, message.options, message.host, target.hub);
        }
        this.#host = message.host;
        this.#transport = message.transport ?? undefined;
        // A hub that has just started (after a handover) is idle until it opens this tab's channels a moment later.
        if (!(message.state === 'idle' && this.#entries.size > 0)) this.#fromHub(message.state, undefined);
        return;
      case 'refused': {
        const error = new ProtocolError(
          message.message ||
            `The shared hub runs cometkit ${message.sdk} (port protocol v${message.cometkit}); this page runs cometkit ${SDK_VERSION} (v${this.#version}).${advice('Serve one cometkit version to every page and worker, then reload.')}`,
        );
        this.#shutDown();
        this.dispatchEvent(new CometErrorEvent(error));
        this.#setState('closed', error);
        return;
      }
      case 'event':
        this.#deliver(message.event);
        return;
      case 'gap': {
        const { gap } = message;
        if (!this.#entries.has(gap.channel)) return;
        this.#positions.set(gap.channel, gap.position);
        this.#live(gap.channel);
        for (const entry of this.#entries.get(gap.channel) ?? []) entry.onGap?.(gap);
        this.dispatchEvent(new CometGapEvent(gap));
        return;
      }
      case 'state':
        this.#transport = message.transport ?? undefined;
        this.#fromHub(message.state, message.error ? fromWireError(message.error) : undefined);
        return;
      case 'error':
        this.dispatchEvent(new CometErrorEvent(fromWireError(message.error)));
        return;
      case 'positions':
        for (const [channel, position] of message.cursor) {
          if (!this.#entries.has(channel)) continue;
          if (!this.#positions.has(channel)) this.#positions.set(channel, position);
          this.#live(channel);
        }
        return;
      case 'token-request':
        void this.#answerToken(message.request);
        return;
      case 'decision':
        // A tab that re-joins gets the trail again: keep each decision once.
        if (this.#decisions.some((d) => d.time === message.decision.time && d.reason === message.decision.reason && d.detail === message.decision.detail)) return;
        this.#decisions.push(message.decision);
        // A switch of transport on an open connection changes no state, so no state message says it.
        if (message.decision.transport) this.#transport = message.decision.transport;
        if (this.#decisions.length > 100) this.#decisions.splice(0, this.#decisions.length - 100);
        this.dispatchEvent(new CometTransportDecisionEvent(message.decision));
        return;
    }
  }

  async #answerToken(request: number): Promise<void> {
    const source = this.#options.token;
    let token: string | null = null;
    let error: string | null = null;
    try {
      token = (await resolveToken(source)) ?? null;
    } catch (cause) {
      error = `The token function failed: ${String((cause as Error)?.message ?? cause)}`;
    }
    this.#post({ type: 'token', request, token, error });
  }

  #shutDown(): void {
    this.#closed = true;
    this.#connection.close();
    this.#stopWatchingPage();
  }

  /**
   * Leaves the hub as a closing tab does, but keeps the subscriptions and
   * positions: the hub releases the upstream if this was its last tab, and a
   * leader tab steps down so that another tab leads.
   */
  #suspend(): void {
    if (this.#closed || this.#suspended) return;
    this.#suspended = true;
    this.#post({ type: 'bye' });
    this.#connection.suspend();
    this.#greeted = false;
    // Nothing can arrive until the page is back and has rejoined: not `open`, whatever the hub said last.
    if (this.#state !== 'idle') this.#setState('reconnecting', undefined);
  }

  /** Back from the cache or thawed: join a hub again; its hello carries this tab's positions, so the hub resumes from them. */
  #rejoin(): void {
    if (this.#closed || !this.#suspended) return;
    this.#suspended = false;
    // A new id: the hub may still act on this tab's goodbye, or on its released tab lock, after the hello
    // (a SharedWorker suspended with its pages reads them only on return); under the old id that would
    // drop the tab that has just rejoined.
    this.#tab = randomHex();
    this.#connection.resume(this.#target());
  }

  /** The hub's state, as this tab sees it. */
  #fromHub(state: ConnectionState, error: CometError | undefined): void {
    // A new hub's first stream (after a handover, or this tab's return from the cache) re-connects this tab.
    if (state === 'connecting' && this.#state === 'reconnecting') return;
    this.#setState(state, error);
  }

  #setState(state: ConnectionState, error: CometError | undefined): void {
    const previous = this.#state;
    if (previous === state || previous === 'closed') return;
    this.#state = state;
    if (state === 'closed') {
      // Closed for good: no pending subscription can become live.
      for (const entries of this.#entries.values()) for (const entry of entries) entry.settle(error ?? closedError());
    }
    this.dispatchEvent(new CometStateEvent(state, previous, error));
  }

  /** The event's position came across the port with it, parsed once where it entered the browser. */
  #deliver(event: PositionedEvent): void {
    const entries = this.#entries.get(event.channel);
    if (!entries) return;
    const { position } = event;
    const current = this.#positions.get(event.channel);
    // A replay after a handover, or after this tab rejoined: already delivered.
    if (current && isAtOrBefore(position, current)) return;
    this.#positions.set(event.channel, position);
    this.#live(event.channel);
    for (const entry of entries) {
      try {
        entry.handler(event);
      } catch (error) {
        report(error);
      }
    }
  }
}
