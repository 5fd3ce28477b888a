import { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { readRefusal } from '../errors/read-refusal.js';
import { positionOf, type CometEvent } from '../protocol/messages.js';
import { comparePositions, isAtOrBefore, parsePosition, type Position } from '../protocol/position.js';
import { resolveToken, type TokenSource } from '../upstream/token-source.js';
import { presenceChannel, type HeartbeatJson, type PresenceJoinData, type PresenceLeaveData, type PresenceStateData, type RosterJson } from '../protocol/presence-protocol.js';
import { checkPresenceState, invalidPresenceChannel } from './presence-checks.js';
import { PresenceChangeEvent, PresenceErrorEvent, PresenceRoster, type PresenceMember, type RosterBinding } from './presence-roster.js';

/** Who this client is when the server accepts presence without tokens; a token's user always wins. */
export interface PresenceIdentity {
  readonly user: string;
  readonly name?: string;
}

export interface PresenceOptions {
  /** Count this client as present on the channel (heartbeats). Default true; false only watches. */
  readonly announce?: boolean;
}

export interface PresenceDeps {
  readonly url: string;
  readonly token: TokenSource | undefined;
  readonly withCredentials: boolean;
  readonly identity: PresenceIdentity | undefined;
  /** `ready` resolves once the stream carries the channel: a roster read after it misses no later change. */
  subscribe(channel: string, handler: (event: CometEvent) => void, onGap: () => void): { unsubscribe(): void; readonly ready?: Promise<void> };
}

interface ChannelState {
  readonly channel: string;
  members: Map<string, PresenceMember>;
  loaded: boolean;
  readonly handles: Set<PresenceRoster>;
  readonly announcers: Set<PresenceRoster>;
  readonly subscription: { unsubscribe(): void; readonly ready?: Promise<void> };
  /** Position of the last join/leave applied; undefined until a roster was read. */
  position: Position | undefined;
  /** Events that arrived while a roster read was in flight. */
  buffer: CometEvent[] | undefined;
  /** This member's state: the latest asked for and not yet sent, and the throttle's bookkeeping. */
  readonly outgoing: { pending: { state: unknown } | undefined; inFlight: boolean; lastSent: number; timer: ReturnType<typeof setTimeout> | undefined };
}

/** At most one state request per channel this often: typing produces a change per keystroke. */
const STATE_INTERVAL_MS = 300;

/** Until the server says its TTL, beat as if it were 30 s. */
const DEFAULT_TTL_MS = 30_000;

function randomSession(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Presence for one client: one session id, one heartbeat for every channel
 * announced on, one roster per channel followed through `presence:<channel>`.
 *
 * Today each client (so each tab) owns one and is one session; the server
 * merges a user's sessions into one member, so tabs count once either way.
 * It needs only a URL, a token and a subscribe function, so the hub can host
 * it next to the upstream and make it one session per browser, with no
 * change to the protocol or to the roster API tabs see.
 */
export class PresenceManager {
  readonly #deps: PresenceDeps;
  readonly #session = randomSession();
  readonly #channels = new Map<string, ChannelState>();
  #ttl = DEFAULT_TTL_MS;
  #beatTimer: ReturnType<typeof setTimeout> | undefined;
  #self: { user: string; name: string } | undefined;
  /** The token of the last heartbeat: a goodbye sent while the page unloads cannot wait for a token provider. */
  #lastToken: string | undefined;
  #closed = false;
  readonly #onPageHide = (): void => this.#leave([...this.#announced()]);
  readonly #onVisible = (event: Event): void => {
    // Throttled timers in a hidden tab may have let a beat slip, and a page
    // restored from the back/forward cache said goodbye: announce again at once.
    const restored = event.type === 'pageshow' && (event as PageTransitionEvent).persisted;
    if ((restored || document.visibilityState === 'visible') && [...this.#announced()].length > 0) this.#scheduleBeat(0);
  };

  constructor(deps: PresenceDeps) {
    this.#deps = deps;
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', this.#onPageHide);
      window.addEventListener('pageshow', this.#onVisible);
      document.addEventListener('visibilitychange', this.#onVisible);
    }
  }

  roster(channel: string, options: PresenceOptions = {}): PresenceRoster {
    let binding: RosterBinding | undefined;
    const handle = new PresenceRoster(
      channel,
      () => binding!.read(),
      () => binding!.release(),
      (_, value) => binding!.setState(value),
    );
    binding = this.bind(handle, options);
    return handle;
  }

  /**
   * Follows `handle.channel` for a roster made elsewhere (the client makes
   * it before this manager has loaded); its events are dispatched on it.
   */
  bind(handle: PresenceRoster, options: PresenceOptions = {}): RosterBinding {
    const { channel } = handle;
    if (this.#closed) throw new CometError('client-closed', 'This client is closed; create a new one to follow presence.');
    const derived = presenceChannel(channel);
    if (derived === undefined) throw invalidPresenceChannel(channel);
    let state = this.#channels.get(channel);
    if (!state) {
      const created: ChannelState = {
        channel,
        members: new Map(),
        loaded: false,
        handles: new Set(),
        announcers: new Set(),
        position: undefined,
        buffer: undefined,
        outgoing: { pending: undefined, inFlight: false, lastSent: 0, timer: undefined },
        subscription: this.#deps.subscribe(derived, (event) => this.#onEvent(created, event), () => void this.#read(created)),
      };
      state = created;
      this.#channels.set(channel, state);
      // Read once the stream carries presence:<channel>; any change before that is in the roster, any after it arrives live.
      (created.subscription.ready ?? Promise.resolve()).then(
        () => {
          if (this.#channels.get(channel) === created && !created.loaded) void this.#read(created);
        },
        // The subscription ended before it was live (a fatal refusal, the client closed): the error event says why.
        () => {},
      );
    }
    const current = state;
    state.handles.add(handle);
    if (options.announce ?? true) {
      state.announcers.add(handle);
      if (state.announcers.size === 1) this.#scheduleBeat(0);
    }
    return {
      read: () => ({ members: [...current.members.values()], loaded: current.loaded, self: this.#self }),
      release: () => this.#release(current, handle),
      setState: (value) => this.#setState(current, handle, value),
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leave([...this.#announced()]);
    clearTimeout(this.#beatTimer);
    for (const state of this.#channels.values()) state.subscription.unsubscribe();
    this.#channels.clear();
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this.#onPageHide);
      window.removeEventListener('pageshow', this.#onVisible);
      document.removeEventListener('visibilitychange', this.#onVisible);
    }
  }

  #setState(state: ChannelState, from: PresenceRoster, value: unknown): void {
    checkPresenceState(state.announcers.has(from), value);
    state.outgoing.pending = { state: value };
    this.#scheduleState(state);
  }

  #scheduleState(state: ChannelState): void {
    const out = state.outgoing;
    if (out.inFlight || out.timer !== undefined || !out.pending) return;
    const wait = Math.max(0, out.lastSent + STATE_INTERVAL_MS - Date.now());
    out.timer = setTimeout(() => {
      out.timer = undefined;
      void this.#flushState(state);
    }, wait);
  }

  async #flushState(state: ChannelState): Promise<void> {
    const out = state.outgoing;
    const next = out.pending;
    if (!next || this.#closed || this.#channels.get(state.channel) !== state) return;
    out.pending = undefined;
    out.inFlight = true;
    out.lastSent = Date.now();
    try {
      const token = await this.#token();
      const response = await fetch(this.#url('state', [state.channel]), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ state: next.state }),
        credentials: this.#deps.withCredentials ? 'include' : 'same-origin',
      });
      if (!response.ok) throw await readRefusal(response);
    } catch (error) {
      this.#emit(state, new PresenceErrorEvent(toCometError(error)));
    } finally {
      out.inFlight = false;
      this.#scheduleState(state);
    }
  }

  *#announced(): Iterable<string> {
    for (const state of this.#channels.values()) if (state.announcers.size > 0) yield state.channel;
  }

  #release(state: ChannelState, handle: PresenceRoster): void {
    // After close() everything is already left and unsubscribed.
    if (this.#closed) return;
    state.handles.delete(handle);
    if (state.announcers.delete(handle) && state.announcers.size === 0) this.#leave([state.channel]);
    if (state.handles.size === 0 && this.#channels.get(state.channel) === state) {
      clearTimeout(state.outgoing.timer);
      state.subscription.unsubscribe();
      this.#channels.delete(state.channel);
    }
  }

  #onEvent(state: ChannelState, event: CometEvent): void {
    if (state.buffer) {
      state.buffer.push(event);
      return;
    }
    // Parsed where the event entered the browser (the client hands presence events on with their position).
    const position = positionOf(event) ?? parsePosition(event.id);
    if (!position) return;
    if (state.position && isAtOrBefore(position, state.position)) return;
    // The stream carries presence:<channel> only from when it re-opened with
    // it, which may be after the roster was read: an event that does not
    // follow the roster's position means some were missed, so read again.
    if (!state.position || comparePositions(position, state.position) !== 1) {
      void this.#read(state, event);
      return;
    }
    this.#apply(state, [event]);
  }

  #apply(state: ChannelState, events: readonly CometEvent[]): void {
    const joined: PresenceMember[] = [];
    const left: PresenceMember[] = [];
    const updated: PresenceMember[] = [];
    for (const event of events) {
      const position = positionOf(event) ?? parsePosition(event.id);
      if (!position || (state.position && isAtOrBefore(position, state.position))) continue;
      state.position = position;
      if (event.type === 'presence.join') {
        const data = event.data as PresenceJoinData;
        if (typeof data?.user !== 'string' || state.members.has(data.user)) continue;
        const member: PresenceMember = { user: data.user, name: String(data.name ?? data.user), since: Number(data.since) || event.time };
        state.members.set(member.user, member);
        joined.push(member);
      } else if (event.type === 'presence.leave') {
        const data = event.data as PresenceLeaveData;
        const member = typeof data?.user === 'string' ? state.members.get(data.user) : undefined;
        if (!member) continue;
        state.members.delete(member.user);
        left.push(member);
      } else if (event.type === 'presence.state') {
        const data = event.data as PresenceStateData;
        const member = typeof data?.user === 'string' ? state.members.get(data.user) : undefined;
        if (!member) continue;
        const changed = withState(member, data.state);
        state.members.set(member.user, changed);
        updated.push(changed);
      }
    }
    if (joined.length > 0 || left.length > 0 || updated.length > 0) this.#emit(state, new PresenceChangeEvent(joined, left, updated));
  }

  #emit(state: ChannelState, event: PresenceChangeEvent | PresenceErrorEvent): void {
    for (const handle of state.handles) {
      handle.dispatchEvent(event instanceof PresenceChangeEvent ? new PresenceChangeEvent(event.joined, event.left, event.updated) : new PresenceErrorEvent(event.error));
    }
  }

  /** Reads the roster; events that arrive meanwhile are applied on top of it, those it already holds skipped. */
  async #read(state: ChannelState, pending?: CometEvent): Promise<void> {
    if (state.buffer) {
      if (pending) state.buffer.push(pending);
      return;
    }
    state.buffer = pending ? [pending] : [];
    let roster: RosterJson | undefined;
    try {
      const [first] = await this.#request<{ rosters: RosterJson[] }>('roster', [state.channel], await this.#token());
      roster = first?.rosters?.[0];
      if (!roster || !Array.isArray(roster.members)) throw new HttpStatusError(502, 'bad-response', 'The presence response holds no roster.');
    } catch (error) {
      state.buffer = undefined;
      // Without a roster the position stays unknown: the next join or leave triggers another read.
      state.position = undefined;
      if (this.#channels.get(state.channel) === state) this.#emit(state, new PresenceErrorEvent(toCometError(error)));
      return;
    }
    const buffered = state.buffer;
    state.buffer = undefined;
    if (this.#channels.get(state.channel) !== state) return;
    const previous = state.members;
    state.members = new Map(roster.members.map((m) => [m.user, withState({ user: String(m.user), name: String(m.name ?? m.user), since: Number(m.since) }, m.state)]));
    state.position = parsePosition(roster.position);
    state.loaded = true;
    const joined = [...state.members.values()].filter((m) => !previous.has(m.user));
    const left = [...previous.values()].filter((m) => !state.members.has(m.user));
    const updated = [...state.members.values()].filter((m) => previous.has(m.user) && JSON.stringify(previous.get(m.user)?.state) !== JSON.stringify(m.state));
    this.#emit(state, new PresenceChangeEvent(joined, left, updated));
    this.#apply(state, buffered);
  }

  #scheduleBeat(delay: number): void {
    if (this.#closed) return;
    clearTimeout(this.#beatTimer);
    this.#beatTimer = setTimeout(() => void this.#beat(), delay);
  }

  async #beat(): Promise<void> {
    const channels = [...this.#announced()];
    if (channels.length === 0 || this.#closed) return;
    try {
      const token = await this.#token();
      this.#lastToken = token;
      const [body] = await this.#request<HeartbeatJson>('heartbeat', channels, token);
      if (body && Number.isFinite(body.ttl) && body.ttl > 0) this.#ttl = body.ttl;
      if (body && typeof body.user === 'string') this.#self = { user: body.user, name: String(body.name ?? body.user) };
    } catch (error) {
      for (const channel of channels) {
        const state = this.#channels.get(channel);
        if (state) this.#emit(state, new PresenceErrorEvent(toCometError(error)));
      }
    }
    if ([...this.#announced()].length > 0) this.#scheduleBeat(this.#ttl / 3);
  }

  #leave(channels: readonly string[]): void {
    if (channels.length === 0) return;
    // keepalive lets the goodbye outlive the page; with no custom header it needs no CORS preflight.
    const url = this.#url('leave', channels, this.#lastToken);
    void fetch(url, { method: 'POST', keepalive: true, credentials: this.#deps.withCredentials ? 'include' : 'same-origin' }).catch(() => {
      // The TTL removes the session anyway.
    });
  }

  #token(): Promise<string | undefined> {
    return resolveToken(this.#deps.token);
  }

  #url(kind: 'roster' | 'heartbeat' | 'leave' | 'state', channels: readonly string[], token?: string): URL {
    const path = kind === 'leave' ? 'presence/leave' : kind === 'state' ? 'presence/state' : 'presence';
    const url = new URL(`${this.#deps.url.replace(/\/+$/, '')}/${path}`, globalThis.location?.href);
    for (const channel of channels) url.searchParams.append('ch', channel);
    if (kind === 'roster') return url;
    url.searchParams.set('session', this.#session);
    if (this.#deps.identity) {
      url.searchParams.set('user', this.#deps.identity.user);
      if (this.#deps.identity.name) url.searchParams.set('name', this.#deps.identity.name);
    }
    if (token && kind === 'leave') url.searchParams.set('token', token);
    return url;
  }

  async #request<T>(kind: 'roster' | 'heartbeat', channels: readonly string[], token: string | undefined): Promise<[T]> {
    let response: Response;
    try {
      response = await fetch(this.#url(kind, channels), {
        method: kind === 'roster' ? 'GET' : 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        credentials: this.#deps.withCredentials ? 'include' : 'same-origin',
      });
    } catch (cause) {
      throw new NetworkError('The push server could not be reached for presence.', { cause });
    }
    const body = (await response.json().catch(() => undefined)) as (T & { error?: { code?: string; message?: string } }) | undefined;
    if (!response.ok) throw new HttpStatusError(response.status, body?.error?.code ?? 'http-error', body?.error?.message ?? 'Presence request failed');
    return [body as T];
  }
}

/** The member with `state` (`null` or absent: none). */
function withState(member: PresenceMember, state: unknown): PresenceMember {
  const { state: _previous, ...rest } = member;
  return state === null || state === undefined ? rest : { ...rest, state };
}

function toCometError(error: unknown): CometError {
  if (error instanceof CometError) return error;
  return new CometError('presence-failed', error instanceof Error ? error.message : String(error), { cause: error });
}
