import { isValidChannel } from './channel.js';

/** Join and leave events of channel `c` are published on `presence:c`. */
export const PRESENCE_PREFIX = 'presence:';

/** The channel carrying `channel`'s joins and leaves, or undefined when it would not be a valid channel. */
export function presenceChannel(channel: string): string | undefined {
  if (channel.startsWith(PRESENCE_PREFIX)) return undefined;
  const derived = PRESENCE_PREFIX + channel;
  return isValidChannel(derived) ? derived : undefined;
}

/** Identities travel in URLs and end up on screen (as text): bounded, no control characters. */
export const PRESENCE_USER_PATTERN = /^[^\p{Cc}]{1,128}$/u;
export const PRESENCE_NAME_MAX = 64;
export const PRESENCE_SESSION_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** `data` of a `presence.join` event. */
export interface PresenceJoinData {
  readonly user: string;
  readonly name: string;
  readonly since: number;
}

/** `data` of a `presence.leave` event. */
export interface PresenceLeaveData {
  readonly user: string;
  /** `left`: the last session said goodbye; `timeout`: its heartbeats stopped for longer than the TTL. */
  readonly reason: 'left' | 'timeout';
}

/** `data` of a `presence.state` event: the member's new state, `null` when cleared. */
export interface PresenceStateData {
  readonly user: string;
  readonly state: unknown;
}

export interface PresenceMemberJson {
  readonly user: string;
  readonly name: string;
  readonly since: number;
  /** The member's state, when it set one. */
  readonly state?: unknown;
}

/** One channel of `GET {base}/presence`. */
export interface RosterJson {
  readonly channel: string;
  /** Position of `presence:<channel>` the roster was read at: apply the join/leave events after it. */
  readonly position: string;
  readonly members: readonly PresenceMemberJson[];
}

/** Answer of `POST {base}/presence`. */
export interface HeartbeatJson {
  /** Milliseconds a session stays present without another heartbeat. */
  readonly ttl: number;
  /** Who the server took this session for. */
  readonly user: string;
  readonly name: string;
}
