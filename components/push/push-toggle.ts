import { html, nothing } from 'lit';
import type { PushState } from '../../src/push/push-client.js';
import type { ClientHost } from '../shared/comet-element.js';
import { format, mergeStrings } from '../shared/strings.js';
import { pushToggleStyles } from './push-toggle.styles.js';

/** The switch's words, part of the strings of each element that shows it (`strings`). */
export interface PushToggleStrings {
  /** The switch's label. */
  pushLabel: string;
  /** This browser gets pushes. */
  pushOn: string;
  /** This browser gets none (not asked yet, or turned off). */
  pushOff: string;
  /** While the browser asks the user, or the subscription is made. */
  pushBusy: string;
  /** The user blocked notifications for the site: how to allow them again. */
  pushBlocked: string;
  /** Turning push on or off failed; `{error}`. */
  pushFailed: string;
}

const PUSH_TOGGLE_STRINGS: PushToggleStrings = {
  pushLabel: 'Push notifications on this device',
  pushOn: 'On: notifications reach this device when no tab of the site is open.',
  pushOff: 'Off.',
  pushBusy: 'Waiting for the browser…',
  pushBlocked: 'Blocked by this browser. To allow them, open the site settings (the icon at the left of the address bar), allow notifications for this site, and reload the page.',
  pushFailed: 'Not changed: {error}',
};

/** States in which the switch is not shown: not yet known, no Web Push in this browser, or none from the server. */
const HIDDEN: ReadonlySet<PushState | undefined> = new Set([undefined, 'unsupported', 'off']);

/**
 * This browser's push on/off switch (`client.push`): shown only where the
 * browser has Web Push and the server has VAPID keys; a change subscribes
 * or unsubscribes. Subscribing is called in the change event itself: the
 * browser asks for permission only during the user's gesture.
 *
 * Elements import it when they first look at push (the bell when its panel
 * opens, the preferences when they offer push), so a page where nobody does
 * never downloads it; its styles come with it.
 */
export class PushToggle {
  readonly #host: ClientHost;
  readonly #strings: () => PushToggleStrings;
  #state: PushState | undefined;
  #busy = false;
  #error = '';
  /** Bumped by every check and change: an older answer does not overwrite a newer one. */
  #generation = 0;

  /** `strings`: the element's replacements; the defaults fill the rest. */
  constructor(host: ClientHost, strings: () => Partial<PushToggleStrings> | undefined) {
    this.#host = host;
    // Added to the element's own sheets, after its static ones.
    const root = host.shadowRoot;
    const sheet = pushToggleStyles.styleSheet;
    if (root && sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    this.#strings = () => mergeStrings(PUSH_TOGGLE_STRINGS, strings());
    // Another client is another server, maybe without push: looked at again.
    host.watchClient(() => {
      this.#state = undefined;
      this.refresh();
    });
  }

  /** This browser's state now (the user may have changed the permission in the browser's settings meanwhile). */
  refresh(): void {
    const client = this.#host.client;
    if (!client || this.#busy) return;
    const generation = ++this.#generation;
    client.push.state().then(
      (state) => {
        if (generation !== this.#generation) return;
        this.#state = state;
        this.#host.requestUpdate();
      },
      // The server could not be reached: the switch stays hidden until the next look.
      () => undefined,
    );
  }

  #change(event: Event): void {
    const client = this.#host.client;
    const input = event.target as HTMLInputElement;
    if (!client) return;
    // In the gesture, before any await: subscribe() asks for permission synchronously.
    const run = input.checked ? client.push.subscribe() : client.push.unsubscribe();
    input.checked = this.#state === 'subscribed';
    const generation = ++this.#generation;
    this.#busy = true;
    this.#error = '';
    this.#host.requestUpdate();
    run.then(
      (state) => {
        if (generation !== this.#generation) return;
        this.#state = state;
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#error = format(this.#strings().pushFailed, { error: error instanceof Error ? error.message : String(error) });
      },
    ).finally(() => {
      if (generation !== this.#generation) return;
      this.#busy = false;
      this.#host.requestUpdate();
    });
  }

  render() {
    const state = this.#state;
    if (HIDDEN.has(state)) return nothing;
    const strings = this.#strings();
    const on = state === 'subscribed';
    const blocked = state === 'denied';
    const status = this.#busy ? strings.pushBusy : this.#error || (blocked ? strings.pushBlocked : on ? strings.pushOn : strings.pushOff);
    return html`<div part="push">
      <label part="push-label"
        ><input
          part="push-switch"
          type="checkbox"
          role="switch"
          .checked=${on}
          ?disabled=${this.#busy || blocked}
          aria-busy=${this.#busy ? 'true' : 'false'}
          aria-describedby="push-status"
          @change=${(event: Event) => this.#change(event)}
        />${strings.pushLabel}</label
      >
      <p part=${blocked || this.#error ? 'push-status push-blocked' : 'push-status'} id="push-status" role="status">${status}</p>
    </div>`;
  }
}
