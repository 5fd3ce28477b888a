import { advice } from '../dev.js';
import { CometError } from '../errors/comet-error.js';

/** One user on a channel; several tabs or devices of the same user are one member. */
export interface PresenceMember {
  readonly user: string;
  readonly name: string;
  /** When the user's first session arrived (server time, ms). */
  readonly since: number;
  /** What the member set with `setState()` (typing, away…); absent when none. */
  readonly state?: unknown;
}

/** `change`: members joined, left, or changed their state. `members` on the roster is already up to date. */
export class PresenceChangeEvent extends Event {
  // `declare`d and assigned in the constructor: set once, and the build emits no field definitions for them.
  declare readonly joined: readonly PresenceMember[];
  declare readonly left: readonly PresenceMember[];
  /** Members whose state changed, with their new state. */
  declare readonly updated: readonly PresenceMember[];

  constructor(joined: readonly PresenceMember[], left: readonly PresenceMember[], updated: readonly PresenceMember[] = []) {
    super('change');
    this.joined = joined;
    this.left = left;
    this.updated = updated;
  }
}

/** `error`: presence could not be read or announced (e.g. the server wants a token). */
export class PresenceErrorEvent extends Event {
  declare readonly error: CometError;

  constructor(error: CometError) {
    super('error');
    this.error = error;
  }
}

/** What a roster reads from, and how it lets go: given by the presence manager following its channel. */
export interface RosterBinding {
  read(): { members: readonly PresenceMember[]; loaded: boolean; self: { user: string; name: string } | undefined };
  release(): void;
  setState(state: unknown): void;
}

export interface PresenceRosterEventMap {
  change: PresenceChangeEvent;
  error: PresenceErrorEvent;
}

export interface PresenceRoster {
  addEventListener<K extends keyof PresenceRosterEventMap>(
    type: K,
    listener: (this: PresenceRoster, event: PresenceRosterEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PresenceRosterEventMap>(
    type: K,
    listener: (this: PresenceRoster, event: PresenceRosterEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * A live view of who is on a channel, from `client.presence(channel)`.
 * Every handle on the same channel shares one roster and one heartbeat;
 * `release()` the handle when done (the last release leaves the channel).
 */
export class PresenceRoster extends EventTarget {
  declare readonly channel: string;
  readonly #release: (roster: PresenceRoster) => void;
  readonly #setState: (roster: PresenceRoster, state: unknown) => void;
  readonly #read: () => { members: readonly PresenceMember[]; loaded: boolean; self: { user: string; name: string } | undefined };
  #released = false;

  /** @internal Made by the client; use `client.presence(channel)`. */
  constructor(
    channel: string,
    read: () => { members: readonly PresenceMember[]; loaded: boolean; self: { user: string; name: string } | undefined },
    release: (roster: PresenceRoster) => void,
    setState: (roster: PresenceRoster, state: unknown) => void = () => undefined,
  ) {
    super();
    this.channel = channel;
    this.#read = read;
    this.#release = release;
    this.#setState = setState;
  }

  /**
   * Shows the others a small JSON state for this user on the channel
   * (`{ typing: true }`, `{ away: true }`, a cursor); `null` clears it.
   * Calls are throttled: the latest state is sent, at most a few per
   * second. The state goes when the user leaves. Errors arrive as `error` events.
   */
  setState(state: unknown): void {
    if (this.#released) throw new CometError('roster-released', `This roster was released.${advice('Take a new one with client.presence().')}`);
    this.#setState(this, state);
  }

  /** Members in order of arrival. */
  get members(): readonly PresenceMember[] {
    return this.#read().members;
  }

  get count(): number {
    return this.#read().members.length;
  }

  /** False until the first roster came back from the server. */
  get loaded(): boolean {
    return this.#read().loaded;
  }

  /** Who the server took this client for, once it announced itself. */
  get self(): { user: string; name: string } | undefined {
    return this.#read().self;
  }

  has(user: string): boolean {
    return this.#read().members.some((member) => member.user === user);
  }

  /** Stops following; the last handle announcing on the channel leaves it at once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release(this);
  }
}
