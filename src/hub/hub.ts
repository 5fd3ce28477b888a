import { CometError } from '../errors/comet-error.js';
import { isHttpStatusError } from '../errors/http-status-error.js';
import { advice } from '../dev.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Cursor } from '../protocol/cursor.js';
import { comparePositions, type Position } from '../protocol/position.js';
import type { Transport } from '../transports/transport.js';
import { Upstream, type ConnectionState } from '../upstream/upstream.js';
import type { HubRunOptions } from './client-options.js';
import type { HubMessage, RefusedMessage } from './hub-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION, readEnvelope, type HostKind } from './port-protocol.js';
import { checkTabMessage, readForeignHello, toWireError, type HelloMessage, type TabMessage } from './tab-messages.js';
import type { DeviceVisibility } from './device-visibility.js';
import { loadDeviceVisibility } from './load-device-visibility.js';

/** Where the hub sends one tab's messages: a MessagePort, a BroadcastChannel, a direct call. */
export interface HubPeer {
  post(message: HubMessage | RefusedMessage): void;
  /** The tab is gone: free what carries its messages. */
  close(): void;
}

export interface HubOptions {
  readonly host: HostKind;
  /** Transports in order of preference; those unsupported where the hub runs are skipped. */
  readonly transports: readonly Transport[];
  /**
   * Resolves when the tab has gone, even without a goodbye (see
   * `watchTabLock`). Without it, only a `bye` releases a tab.
   */
  readonly watchTab?: (tab: string, signal: AbortSignal) => Promise<void>;
  /** Overrides for tests of version mismatches. */
  readonly protocolVersion?: number;
  readonly sdkVersion?: string;
}

export interface HubStats {
  /** Tabs attached. */
  readonly tabs: number;
  /** Channels the upstream stream carries. */
  readonly channels: number;
  /** Messages dropped because they were not cometkit's, malformed, from an unknown tab, or naming a tab without its secret. */
  readonly ignored: number;
  /** Hellos refused for another port protocol version. */
  readonly refused: number;
}

interface TabSession {
  readonly id: string;
  /** The secret of the tab's first hello: what names this id with another is not from this tab. */
  readonly secret: string;
  peer: HubPeer;
  channels: Set<string>;
  token: string | null;
  tokenFunction: boolean;
  readonly watch: AbortController;
}

interface PendingToken {
  readonly session: TabSession;
  readonly resolve: (token: string | undefined) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const TOKEN_TIMEOUT_MS = 10_000;

/**
 * The one upstream connection of a browser and the tabs it serves. It runs
 * wherever a host puts it (a SharedWorker, the leader tab, the tab itself)
 * and talks to tabs only through `HubPeer`s, with messages it checks field by
 * field: anything else posted to it is counted and dropped, never thrown.
 *
 * Subscriptions are counted per tab: the stream carries the union of every
 * tab's channels, and each event goes only to the tabs holding its channel.
 */
export class Hub {
  readonly #options: HubOptions;
  readonly #version: number;
  readonly #sdk: string;
  readonly #tabs = new Map<string, TabSession>();
  readonly #subscribers = new Map<string, Set<TabSession>>();
  readonly #pendingTokens = new Map<number, PendingToken>();
  #upstream: Upstream | undefined;
  /** The options of the hello that started the upstream: each welcome tells a joining tab what is in effect. */
  #upstreamOptions: HubRunOptions | undefined;
  /** The tab whose fixed token the upstream last used, if it used one. */
  #tokenHolder: TabSession | undefined;
  /** Channels of the stream that last said hello: a tab joining them is live at once. */
  #live = new Set<string>();
  #nextRequest = 1;
  /**
   * For Web Push: whether any tab of this browser is visible, told to the
   * server. Loaded when the first tab of a browser subscribed to push
   * reports (its own chunk): a hub whose browser never subscribed never
   * fetches it.
   */
  #visibility: Promise<DeviceVisibility | undefined> | undefined;
  #ignored = 0;
  #refused = 0;
  #closed = false;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#version = options.protocolVersion ?? PORT_PROTOCOL_VERSION;
    this.#sdk = options.sdkVersion ?? SDK_VERSION;
  }

  get stats(): HubStats {
    return { tabs: this.#tabs.size, channels: this.#subscribers.size, ignored: this.#ignored, refused: this.#refused };
  }

  get state(): ConnectionState {
    return this.#upstream?.state ?? 'idle';
  }

  /**
   * Handles one message from a tab. `connect` gives the way back to the tab
   * that sent it: the port it came in on (a SharedWorker), or the tab's own
   * channel (a leader tab). A message naming a tab is taken only from that
   * tab's way back and with the secret of that tab's first hello, so a page
   * that learned another tab's id (tab ids are in lock names) can neither
   * take over its session with a hello nor drop, re-subscribe or answer
   * token requests for it.
   */
  receive(data: unknown, connect: (tab: string) => HubPeer): void {
    if (this.#closed) return;
    try {
      this.#receive(data, connect);
    } catch {
      // A message that gets past the checks and still breaks something must not take the hub down.
      this.#ignored += 1;
    }
  }

  /** Re-checks liveness deadlines now and retries at once if waiting (tab visible again, back online). */
  wake(): void {
    this.#upstream?.retryNow();
  }

  /**
   * Stops the upstream connection. With `handover`, tabs are told the stream
   * is `reconnecting` (another hub is about to take over) rather than closed.
   */
  close(handover = false): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#visibility?.then((visibility) => visibility?.close());
    const upstream = this.#upstream;
    this.#upstream = undefined;
    upstream?.close();
    for (const pending of this.#pendingTokens.values()) {
      clearTimeout(pending.timer);
      pending.reject(new CometError('hub-closed', 'The hub closed before a tab answered its token request.'));
    }
    this.#pendingTokens.clear();
    for (const session of this.#tabs.values()) {
      session.watch.abort();
      if (handover && upstream) {
        session.peer.post({
          cometkit: this.#version,
          type: 'state',
          state: 'reconnecting',
          previous: upstream.state === 'closed' ? 'open' : upstream.state,
          transport: null,
          error: null,
        });
      }
      session.peer.close();
    }
    this.#tabs.clear();
    this.#subscribers.clear();
  }

  #receive(data: unknown, connect: (tab: string) => HubPeer): void {
    const message = checkTabMessage(data, this.#version);
    if (typeof message === 'string') {
      const envelope = readEnvelope(data);
      if (envelope && envelope.version !== this.#version && envelope.type === 'hello') this.#refuse(envelope.version, envelope.data, connect);
      else this.#ignored += 1;
      return;
    }
    if (message.type === 'hello') {
      this.#hello(message, connect);
      return;
    }
    const session = this.#tabs.get(message.tab);
    if (!session || session.secret !== message.secret || connect(message.tab) !== session.peer) {
      this.#ignored += 1;
      return;
    }
    this.#handle(session, message);
  }

  #handle(session: TabSession, message: Exclude<TabMessage, HelloMessage>): void {
    switch (message.type) {
      case 'channels':
        this.#setTabChannels(session, message.channels);
        this.#sendPositions([session]);
        return;
      case 'token': {
        const pending = this.#pendingTokens.get(message.request);
        if (!pending || pending.session !== session) {
          this.#ignored += 1;
          return;
        }
        this.#pendingTokens.delete(message.request);
        clearTimeout(pending.timer);
        if (message.error !== null) pending.reject(new CometError('token-provider', message.error));
        else pending.resolve(message.token ?? undefined);
        return;
      }
      case 'wake':
        this.wake();
        return;
      case 'bye':
        this.#drop(session);
        return;
      case 'visibility':
        // Set, dropped and closed through the one promise, so in the order they came while the code loads.
        this.#visibility ??= loadDeviceVisibility().then(
          ({ forHub }) => forHub(() => this.#upstreamOptions, () => this.#token()),
          // A failed load is tried again on the next report.
          () => (this.#visibility = undefined),
        );
        void this.#visibility.then((visibility) => visibility?.set(session.id, message.visible, message.device, message.user));
        return;
    }
  }

  /**
   * A tab of another port protocol version: it is told so, and so are the
   * tabs already here, rather than either side guessing at the other's messages.
   */
  #refuse(version: number, data: Record<string, unknown>, connect: (tab: string) => HubPeer): void {
    const foreign = readForeignHello(data);
    // A tab of this version already here cannot also be of another; answering (and closing) its way back
    // would cut it off, as a leader tab's hub reaches a tab by its id alone.
    if (!foreign || this.#tabs.has(foreign.tab)) {
      this.#ignored += 1;
      return;
    }
    this.#refused += 1;
    // The fix, in the development build only (README, "Errors"): production says what is wrong, and the code.
    const fix = advice('Serve the same cometkit version to every page and worker of the site, then reload the tabs.');
    const text =
      `This page runs cometkit ${foreign.sdk} (port protocol v${version}), but the shared hub runs cometkit ${this.#sdk} ` +
      `(port protocol v${this.#version}).${fix}`;
    const peer = connect(foreign.tab);
    peer.post({ cometkit: this.#version, type: 'refused', sdk: this.#sdk, message: text });
    peer.close();
    const notice = toWireError(
      new ProtocolError(`A tab running cometkit ${foreign.sdk} (port protocol v${version}) could not join this hub (v${this.#version}); it gets no events.${fix}`),
    );
    for (const session of this.#tabs.values()) session.peer.post({ cometkit: this.#version, type: 'error', error: notice });
  }

  #hello(message: HelloMessage, connect: (tab: string) => HubPeer): void {
    let session = this.#tabs.get(message.tab);
    if (session && session.secret !== message.secret) {
      // Another page naming this tab: not answered, as answering a leader tab's hello reaches the named tab.
      this.#ignored += 1;
      return;
    }
    if (!session) {
      session = {
        id: message.tab,
        secret: message.secret,
        peer: connect(message.tab),
        channels: new Set(),
        token: null,
        tokenFunction: false,
        watch: new AbortController(),
      };
      this.#tabs.set(message.tab, session);
      this.#watch(session);
    } else {
      // The same tab (it has the secret) through a new port (it re-opened a lost worker): answers go to the new one.
      const peer = connect(message.tab);
      if (peer !== session.peer) {
        session.peer.close();
        session.peer = peer;
      }
    }
    session.token = message.token;
    session.tokenFunction = message.tokenFunction;
    const upstream = this.#ensureUpstream(message);
    session.peer.post({
      cometkit: this.#version,
      type: 'welcome',
      sdk: this.#sdk,
      host: this.#options.host,
      state: upstream.state,
      transport: upstream.transport ?? null,
      options: this.#upstreamOptions ?? null,
    });
    for (const decision of upstream.decisions) session.peer.post({ cometkit: this.#version, type: 'decision', decision });
    this.#setTabChannels(session, message.channels);
    this.#resumeFrom(message.cursor, session.channels);
    this.#sendPositions([session]);
  }

  #watch(session: TabSession): void {
    const watchTab = this.#options.watchTab;
    if (!watchTab) return;
    watchTab(session.id, session.watch.signal).then(
      () => {
        if (this.#tabs.get(session.id) === session) this.#drop(session);
      },
      () => {},
    );
  }

  #ensureUpstream(hello: HelloMessage): Upstream {
    const current = this.#upstream;
    if (current && current.state !== 'closed') return current;
    // A closed upstream (refused token, say) gets another chance with each new tab: it may carry a fresh token.
    const { options } = hello;
    // The first tab's `transports` option restricts and orders the hub's own (those it can run where it lives).
    const available = this.#options.transports;
    const transports = options.transports
      ? options.transports.flatMap((name) => available.filter((transport) => transport.name === name))
      : available;
    const upstream = new Upstream(
      {
        ...options,
        // An empty token is sent as none (see streamUrl); the upstream needs a string from a function.
        token: async () => (await this.#token()) ?? '',
        transports,
      },
      {
        event: (event) => {
          if (this.#upstream !== upstream) return;
          const subscribers = this.#subscribers.get(event.channel);
          if (!subscribers) return;
          const message: HubMessage = { cometkit: this.#version, type: 'event', event };
          for (const session of subscribers) session.peer.post(message);
        },
        gap: (gap) => {
          if (this.#upstream !== upstream) return;
          const message: HubMessage = { cometkit: this.#version, type: 'gap', gap };
          for (const session of this.#subscribers.get(gap.channel) ?? []) session.peer.post(message);
        },
        state: (state, previous, error) => {
          if (this.#upstream !== upstream) return;
          const holder = this.#tokenHolder;
          // A fixed token is its tab's alone: its refusal ends that tab, and the other tabs' tokens carry the hub on.
          if (state == 'closed' && holder && this.#tabs.size > 1 && isHttpStatusError(error) && error.status == 401) {
            holder.peer.post({ cometkit: this.#version, type: 'state', state, previous, transport: null, error: toWireError(error) });
            holder.token = null;
            this.#ensureUpstream(hello);
            return this.#setTabChannels(holder, []);
          }
          this.#broadcast({
            cometkit: this.#version,
            type: 'state',
            state,
            previous,
            transport: upstream.transport ?? null,
            error: error ? toWireError(error) : null,
          });
        },
        error: (error) => {
          if (this.#upstream !== upstream) return;
          this.#broadcast({ cometkit: this.#version, type: 'error', error: toWireError(error) });
        },
        decision: (decision) => {
          if (this.#upstream !== upstream) return;
          this.#broadcast({ cometkit: this.#version, type: 'decision', decision });
        },
        hello: (channels) => {
          // After the state message the hello brought, so a tab is open before it is told it is live.
          queueMicrotask(() => {
            if (this.#upstream !== upstream) return;
            this.#live = new Set(channels);
            this.#sendPositions(this.#tabs.values());
          });
        },
      },
    );
    if (current) upstream.restorePositions(current.positions);
    this.#upstream = upstream;
    this.#upstreamOptions = options;
    upstream.setChannels(this.#subscribers.keys());
    return upstream;
  }

  /**
   * After each stream's hello, every tab learns where its channels start,
   * including those without an event yet: should this hub vanish, the tab's
   * next hello lets the new hub resume them from there instead of from "now".
   * It also tells the tab its subscription is live (`Subscription.ready`).
   * Sends the positions of the channels the current stream carries to each
   * of `sessions` that holds them.
   */
  #sendPositions(sessions: Iterable<TabSession>): void {
    const positions = this.#upstream?.positions;
    if (!positions) return;
    for (const session of sessions) {
      const mine = new Map<string, Position>();
      for (const channel of session.channels) {
        const position = positions.get(channel);
        if (position && this.#live.has(channel)) mine.set(channel, position);
      }
      if (mine.size > 0) session.peer.post({ cometkit: this.#version, type: 'positions', cursor: mine });
    }
  }

  #setTabChannels(session: TabSession, channels: readonly string[]): void {
    const next = new Set(channels);
    for (const channel of session.channels) {
      if (next.has(channel)) continue;
      const subscribers = this.#subscribers.get(channel);
      subscribers?.delete(session);
      if (subscribers?.size === 0) this.#subscribers.delete(channel);
    }
    for (const channel of next) {
      let subscribers = this.#subscribers.get(channel);
      if (!subscribers) {
        subscribers = new Set();
        this.#subscribers.set(channel, subscribers);
      }
      subscribers.add(session);
    }
    session.channels = next;
    this.#upstream?.setChannels(this.#subscribers.keys());
  }

  /**
   * A tab's hello carries what it has received. A new hub (after a handover)
   * starts each channel from the earliest position any tab reports, and a
   * tab that reports an earlier position than the stream has reached makes
   * the stream re-open from there: an event that reached some tabs and not
   * others before the old hub died is replayed, and each tab drops what it
   * already has. Nothing is lost; nothing is shown twice.
   */
  #resumeFrom(reported: Cursor, channels: ReadonlySet<string>): void {
    const upstream = this.#upstream;
    if (!upstream) return;
    const reached = upstream.positions;
    const restore = new Map<string, Position>();
    for (const [channel, position] of reported) {
      if (!channels.has(channel)) continue;
      const current = reached.get(channel);
      if (!current) restore.set(channel, position);
      else if (comparePositions(position, current) < 0) restore.set(channel, position);
    }
    if (restore.size > 0) upstream.rewind(restore);
  }

  #drop(session: TabSession): void {
    this.#tabs.delete(session.id);
    void this.#visibility?.then((visibility) => visibility?.drop(session.id));
    session.watch.abort();
    for (const [request, pending] of this.#pendingTokens) {
      if (pending.session !== session) continue;
      this.#pendingTokens.delete(request);
      clearTimeout(pending.timer);
      pending.reject(new CometError('token-provider', 'The tab asked for a token went away.'));
    }
    this.#setTabChannels(session, []);
    session.peer.close();
  }

  #broadcast(message: HubMessage): void {
    for (const session of this.#tabs.values()) session.peer.post(message);
  }

  /** The newest tab with a token function is asked; else the newest static token is used. */
  async #token(): Promise<string | undefined> {
    const sessions = [...this.#tabs.values()].reverse();
    const asker = sessions.find((session) => session.tokenFunction);
    this.#tokenHolder = asker ? undefined : sessions.find((session) => session.token !== null);
    if (!asker) return this.#tokenHolder?.token ?? undefined;
    const request = this.#nextRequest++;
    return new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingTokens.delete(request);
        reject(new CometError('token-provider', `The tab's token function did not answer within ${TOKEN_TIMEOUT_MS} ms.`));
      }, TOKEN_TIMEOUT_MS);
      this.#pendingTokens.set(request, { session: asker, resolve, reject, timer });
      asker.peer.post({ cometkit: this.#version, type: 'token-request', request });
    });
  }
}
