import { formatPosition } from '../../src/protocol/position.js';
import { presenceChannel, type PresenceJoinData, type PresenceLeaveData, type PresenceStateData, type RosterJson } from '../../src/protocol/presence-protocol.js';
import type { Broker } from '../broker/broker.js';
import { MemoryPresenceStore } from './memory-presence-store.js';
import type { PresenceStore } from './presence-store.js';
import { MemoryPresenceStateStore, type PresenceStateStore } from './presence-state-store.js';
import { HttpStatusError } from '../http/http-error.js';
import { RateLimiter } from './rate-limiter.js';

export interface ServerPresenceOptions {
  /**
   * Milliseconds a session stays present after its last heartbeat; clients
   * beat every third of it. Default 90000: a background tab whose timers
   * the browser throttles to one a minute still stays present.
   */
  readonly ttlMs?: number;
  /**
   * Accept presence without a token, the identity taken from the `user` and
   * `name` parameters (a demo, or a site without sign-in). Default: true
   * when the server has no token secret, false otherwise.
   */
  readonly anonymous?: boolean;
  /** Where presence lives; by default in memory, for this process. */
  readonly store?: PresenceStore;
  /** Users on one channel's roster; a new user past it gets `503 presence-full`. Default 10000. */
  readonly maxMembersPerChannel?: number;
  /** Channels one session may be present on at once; past it `429 too-many-presence-channels`. Default 64. */
  readonly maxChannelsPerSession?: number;
  /** Sessions present at once in this process; a new one past it gets `503 presence-full`. Default 100000. */
  readonly maxSessions?: number;
  /** Anonymous heartbeats and leaves one client address may send per minute; past it `429 rate-limited`. Default 1200. */
  readonly anonymousPerMinute?: number;
  /** Largest member state, in bytes of JSON. Default 1024. */
  readonly maxStateBytes?: number;
  /** Where member states live; by default in memory, for this process. */
  readonly stateStore?: PresenceStateStore;
}

export interface ServerPresenceIdentity {
  readonly user: string;
  readonly name: string;
  /** When the token that named the user stops being accepted (ms): the session ends then at the latest. */
  readonly validUntil?: number | undefined;
}

/**
 * Presence on top of a store and the broker: heartbeats keep a session
 * present, the first session of a user publishes `presence.join` and the
 * last one leaving (or timing out) publishes `presence.leave`, both on
 * `presence:<channel>`, so readers follow presence like any other channel
 * and resume it like any other channel.
 */
export class PresenceService {
  readonly ttlMs: number;
  readonly anonymous: boolean;
  readonly maxMembersPerChannel: number;
  readonly maxChannelsPerSession: number;
  readonly maxSessions: number;
  /** Rate of anonymous requests per client address. */
  readonly anonymousLimiter: RateLimiter;
  readonly maxStateBytes: number;
  readonly #store: PresenceStore;
  readonly #states: PresenceStateStore;
  /** session → channel → expiry, in this process: what the per-session and total caps count. */
  readonly #sessions = new Map<string, Map<string, number>>();
  /** channel → users on it known to this process, for the roster cap. */
  readonly #members = new Map<string, number>();
  readonly #broker: Broker;
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(broker: Broker, options: ServerPresenceOptions, hasTokenSecret: boolean) {
    const ttl = options.ttlMs ?? 90_000;
    if (!Number.isFinite(ttl) || ttl < 100) throw new TypeError(`cometkit server: presence.ttlMs must be at least 100, got ${ttl}.`);
    this.ttlMs = ttl;
    this.anonymous = options.anonymous ?? !hasTokenSecret;
    this.#store = options.store ?? new MemoryPresenceStore();
    this.#states = options.stateStore ?? new MemoryPresenceStateStore();
    this.maxStateBytes = options.maxStateBytes ?? 1024;
    this.maxMembersPerChannel = atLeastOne(options.maxMembersPerChannel, 10_000, 'maxMembersPerChannel');
    this.maxChannelsPerSession = atLeastOne(options.maxChannelsPerSession, 64, 'maxChannelsPerSession');
    this.maxSessions = atLeastOne(options.maxSessions, 100_000, 'maxSessions');
    this.anonymousLimiter = new RateLimiter(atLeastOne(options.anonymousPerMinute, 1200, 'anonymousPerMinute'), 60_000);
    this.#broker = broker;
    // Sweeping at a quarter of the TTL bounds how long a silent session stays: at most 1.25 × TTL.
    this.#sweep = setInterval(() => void this.sweep(), Math.max(25, Math.floor(ttl / 4)));
    this.#sweep.unref?.();
  }

  /**
   * Keeps `session` present on `channels` for another TTL, or until its token ends if sooner;
   * publishes a join for each channel the user was not on. Returns how long the session holds (ms).
   */
  async heartbeat(channels: readonly string[], identity: ServerPresenceIdentity, session: string): Promise<number> {
    const now = Date.now();
    const expires = Math.min(now + this.ttlMs, identity.validUntil ?? Infinity);
    const held = this.#sessions.get(session);
    if (!held && this.#sessions.size >= this.maxSessions) {
      throw new HttpStatusError(503, 'presence-full', `The server holds its limit of ${this.maxSessions} presence sessions; try again later.`, { 'Retry-After': '30' });
    }
    const added = channels.filter((channel) => !held?.has(channel));
    if ((held?.size ?? 0) + added.length > this.maxChannelsPerSession) {
      throw new HttpStatusError(429, 'too-many-presence-channels', `A session is present on at most ${this.maxChannelsPerSession} channels; leave some first.`);
    }
    const entry = held ?? new Map<string, number>();
    this.#sessions.set(session, entry);
    for (const channel of channels) {
      if (!entry.has(channel) && (this.#members.get(channel) ?? 0) >= this.maxMembersPerChannel) {
        if (entry.size === 0) this.#sessions.delete(session);
        throw new HttpStatusError(503, 'presence-full', `Channel "${channel}" has its limit of ${this.maxMembersPerChannel} present users.`, { 'Retry-After': '30' });
      }
      entry.set(channel, expires);
      const joined = await this.#store.touch(channel, identity, session, now, expires);
      if (joined) {
        this.#members.set(channel, (this.#members.get(channel) ?? 0) + 1);
        await this.#publish(channel, 'presence.join', { user: identity.user, name: identity.name, since: now } satisfies PresenceJoinData);
      }
    }
    return expires - now;
  }

  /**
   * Sets the member's state on each channel (`null` clears it), after a
   * heartbeat so that only a present member carries one; publishes
   * `presence.state` when it changed.
   */
  async setState(channels: readonly string[], identity: ServerPresenceIdentity, session: string, state: unknown): Promise<void> {
    await this.heartbeat(channels, identity, session);
    const stored = state === null ? undefined : state;
    for (const channel of channels) {
      const previous = (await this.#states.all(channel)).get(identity.user);
      if (JSON.stringify(previous) === JSON.stringify(stored)) continue;
      await this.#states.set(channel, identity.user, stored);
      await this.#publish(channel, 'presence.state', { user: identity.user, state: state ?? null } satisfies PresenceStateData);
    }
  }

  async leave(channels: readonly string[], user: string, session: string): Promise<void> {
    const held = this.#sessions.get(session);
    for (const channel of channels) {
      held?.delete(channel);
      if (await this.#store.leave(channel, user, session)) {
        this.#left(channel);
        // A member who left carries no state: whoever joins next starts without "typing".
        await this.#states.set(channel, user, undefined);
        await this.#publish(channel, 'presence.leave', { user, reason: 'left' } satisfies PresenceLeaveData);
      }
    }
    if (held?.size === 0) this.#sessions.delete(session);
  }

  /** Removes sessions past their TTL. Runs on a timer; public so tests and embedders can force it. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [session, channels] of this.#sessions) {
      for (const [channel, expires] of channels) if (expires <= now) channels.delete(channel);
      if (channels.size === 0) this.#sessions.delete(session);
    }
    this.anonymousLimiter.prune(now);
    try {
      for (const { channel, user } of await this.#store.expire(now)) {
        this.#left(channel);
        await this.#states.set(channel, user, undefined);
        await this.#publish(channel, 'presence.leave', { user, reason: 'timeout' } satisfies PresenceLeaveData);
      }
    } catch (error) {
      console.error('cometkit server: presence sweep failed', error);
    }
  }

  async roster(channel: string): Promise<RosterJson> {
    // The position is read before the members: a change in between is both in
    // the roster and after the position, and joins and leaves apply idempotently.
    const { head } = await this.#broker.read(presenceChannel(channel)!, undefined);
    const members = await this.#store.roster(channel);
    const states = await this.#states.all(channel);
    return {
      channel,
      position: formatPosition(head),
      members: members.map((member) => (states.has(member.user) ? { ...member, state: states.get(member.user) } : member)),
    };
  }

  /** Sessions this process holds presence for now. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sessions.clear();
    this.#members.clear();
    await this.#store.close();
    await this.#states.close();
  }

  #left(channel: string): void {
    const count = (this.#members.get(channel) ?? 1) - 1;
    if (count <= 0) this.#members.delete(channel);
    else this.#members.set(channel, count);
  }

  async #publish(
    channel: string,
    type: 'presence.join' | 'presence.leave' | 'presence.state',
    data: PresenceJoinData | PresenceLeaveData | PresenceStateData,
  ): Promise<void> {
    await this.#broker.publish({ channel: presenceChannel(channel)!, type, data });
  }
}

function atLeastOne(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new TypeError(`cometkit server: presence.${name} must be at least 1, got ${value}.`);
  return value;
}
