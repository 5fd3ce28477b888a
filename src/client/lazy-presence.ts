import { loadModule } from '../errors/module-load-error.js';
import type { PresenceDeps, PresenceManager, PresenceOptions } from '../presence/presence-manager.js';
import { presenceChannel } from '../protocol/presence-protocol.js';
import { checkPresenceState, invalidPresenceChannel } from '../presence/presence-checks.js';
import { PresenceErrorEvent, PresenceRoster, type RosterBinding } from '../presence/presence-roster.js';

const NOT_YET_LOADED = { members: [], loaded: false, self: undefined } as const;

/**
 * The client's presence, loaded on the first `client.presence()`: a page
 * that never asks who is there never downloads the code that knows. The
 * roster is handed back at once and starts following its channel when the
 * code has arrived; until then it is empty and not `loaded`. A failed load
 * is an `error` event on the roster.
 */
export class LazyPresence {
  readonly #deps: PresenceDeps;
  #manager: Promise<PresenceManager> | undefined;
  #closed = false;

  constructor(deps: PresenceDeps) {
    this.#deps = deps;
  }

  roster(channel: string, options: PresenceOptions): PresenceRoster {
    // Checked here, not after the load: a bad channel throws where it was passed.
    if (presenceChannel(channel) === undefined) throw invalidPresenceChannel(channel);
    let binding: RosterBinding | undefined;
    let released = false;
    /** A state set before the code arrived: sent once it has. */
    let early: { state: unknown } | undefined;
    const roster = new PresenceRoster(
      channel,
      () => binding?.read() ?? NOT_YET_LOADED,
      () => {
        released = true;
        binding?.release();
      },
      (_, state) => {
        if (binding) return binding.setState(state);
        // Thrown where it was called, as once presence has loaded.
        checkPresenceState(options.announce ?? true, state);
        early = { state };
      },
    );
    this.#load().then(
      (manager) => {
        if (released || this.#closed) return;
        binding = manager.bind(roster, options);
        if (!early) return;
        try {
          binding.setState(early.state);
        } catch (error) {
          roster.dispatchEvent(new PresenceErrorEvent(error as PresenceErrorEvent['error']));
        }
      },
      (error: PresenceErrorEvent['error']) => {
        if (!released && !this.#closed) roster.dispatchEvent(new PresenceErrorEvent(error));
      },
    );
    return roster;
  }

  close(): void {
    this.#closed = true;
    void this.#manager?.then((manager) => manager.close(), () => {});
  }

  #load(): Promise<PresenceManager> {
    this.#manager ??= loadModule('presence', () => import('../presence/presence-manager.js')).then((module) => new module.PresenceManager(this.#deps));
    // A failed load may succeed on the next roster.
    this.#manager.catch(() => {
      this.#manager = undefined;
    });
    return this.#manager;
  }
}
