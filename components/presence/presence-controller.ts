import type { ReactiveController } from 'lit';
import type { CometClient } from '../../src/client/client.js';
import type { PresenceChangeEvent, PresenceErrorEvent, PresenceRoster } from '../../src/presence/presence-roster.js';
import type { ClientHost } from '../shared/comet-element.js';

/**
 * Holds a presence roster for an element: taken when it has a client and a
 * channel, released when either changes or the element leaves the page.
 */
export class PresenceController implements ReactiveController {
  roster: PresenceRoster | undefined;
  error = '';
  readonly #host: ClientHost;
  readonly #target: () => { channel: string; announce: boolean };
  readonly #onChange: (event: PresenceChangeEvent) => void;
  #taken: { client: CometClient; channel: string; announce: boolean } | undefined;

  constructor(
    host: ClientHost,
    target: () => { channel: string; announce: boolean },
    onChange: (event: PresenceChangeEvent) => void,
  ) {
    this.#host = host;
    this.#target = target;
    this.#onChange = onChange;
    // Also how it connects: the element calls its watchers as it connects and finds its client.
    host.watchClient(() => this.sync());
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#drop();
  }

  /** Takes the roster the element's channel and client call for now; cheap when nothing changed. */
  sync(): void {
    const client = this.#host.client;
    const { channel, announce } = this.#target();
    if (!this.#host.isConnected || !client || !channel) {
      this.#drop();
      return;
    }
    const taken = this.#taken;
    if (taken && taken.client === client && taken.channel === channel && taken.announce === announce) return;
    this.#drop();
    this.error = '';
    try {
      const roster = client.presence(channel, { announce });
      roster.addEventListener('change', this.#changed);
      roster.addEventListener('error', this.#failed);
      this.roster = roster;
      this.#taken = { client, channel, announce };
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.#host.requestUpdate();
  }

  readonly #changed = (event: PresenceChangeEvent): void => {
    this.error = '';
    this.#onChange(event);
    this.#host.requestUpdate();
  };

  readonly #failed = (event: PresenceErrorEvent): void => {
    this.error = event.error.message;
    this.#host.requestUpdate();
  };

  #drop(): void {
    if (!this.roster) return;
    this.roster.removeEventListener('change', this.#changed);
    this.roster.removeEventListener('error', this.#failed);
    this.roster.release();
    this.roster = undefined;
    this.#taken = undefined;
  }
}

/** Up to two initials of a display name, in the name's own script. */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._-]+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!].map((w) => [...w][0]) : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toLocaleUpperCase();
}

/** A stable hue per user id, so each person keeps one colour everywhere. */
export function hueOf(user: string): number {
  let hash = 0;
  for (const char of user) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}
