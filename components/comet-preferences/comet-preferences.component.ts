import { html, nothing, type PropertyValues } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import type { CometClient } from '../../src/client/client.js';
import type { Inbox } from '../../src/inbox/inbox.js';
import type { InboxPreferencesEvent } from '../../src/inbox/inbox-events.js';
import type { InboxDeliveryChannel, InboxPreferences } from '../../src/protocol/inbox-protocol.js';
import { INBOX_DELIVERY_CHANNELS, delivery } from '../../src/protocol/inbox-delivery.js';
import { emit } from '../shared/events.js';
import { format, mergeStrings } from '../shared/strings.js';
import { preferencesStyles } from './comet-preferences.styles.js';
import type { PushToggle, PushToggleStrings } from '../push/push-toggle.js';

export interface CometPreferencesStrings extends PushToggleStrings {
  /** The form's legend. */
  heading: string;
  /** The global switch. */
  enabled: string;
  /** The first column's header. */
  category: string;
  inbox: string;
  toast: string;
  push: string;
  /** Next to a critical category, and read with its checkboxes. */
  critical: string;
  /** Read with every checkbox while the global switch is off. */
  off: string;
  loading: string;
  notConnected: string;
  /** The preferences could not be loaded; `{error}`. */
  error: string;
  /** A change the server refused, undone; `{error}`. */
  failed: string;
  saved: string;
}

/** The element's own strings; the push switch's come with its code. */
type PreferencesOwnStrings = Omit<CometPreferencesStrings, keyof PushToggleStrings>;

const DEFAULT_STRINGS: PreferencesOwnStrings = {
  heading: 'Notification preferences',
  enabled: 'Receive notifications',
  category: 'Category',
  inbox: 'Inbox',
  toast: 'Pop-up',
  push: 'Push',
  critical: 'Always on: needed for your account, cannot be turned off.',
  off: 'Notifications are off.',
  loading: 'Loading…',
  notConnected: 'Not connected.',
  error: 'Could not load your preferences: {error}',
  failed: 'Not saved, the change was undone: {error}',
  saved: 'Saved.',
};

/** A category as the application names it for people. */
export interface PreferenceCategory {
  readonly id: string;
  readonly label?: string;
}

/**
 * The user's notification preferences, kept by the server (PROTOCOL.md,
 * Inbox preferences): a global switch, and per category whether a
 * notification reaches the inbox, a toast (and push, when listed in
 * `channels`). Categories the application declares critical are shown
 * checked and disabled, with why. A change is saved at once, undone with a
 * message if the server refuses it, and shows live on the user's other
 * devices. A form of native checkboxes: a table whose every box is named by
 * its row and column.
 *
 * With `push` in `channels`, the Push column says per category whether a
 * notification is pushed to the user's browsers, and above the table this
 * browser's Web Push switch (`client.push`, README "Push") turns push on or
 * off for this device: shown where the browser has Web Push and the server
 * has VAPID keys; turning it on asks the browser's permission and
 * subscribes; its status says whether it is on, off, or blocked by the
 * browser and how to allow it again. Its words are in
 * `strings`: `pushLabel`, `pushOn`, `pushOff`, `pushBusy`, `pushBlocked`
 * and `pushFailed` (`{error}`).
 *
 * @tagname comet-preferences
 * @summary Notification preferences per category and channel.
 * @csspart form - The form.
 * @csspart global - The global switch's label.
 * @csspart table - The table of categories and channels.
 * @csspart category - A category's row header.
 * @csspart critical - The "always on" explanation of a critical category.
 * @csspart checkbox - One category × channel checkbox.
 * @csspart status - Loading, saved, and error messages.
 * @csspart push - With `push` in `channels`: this browser's Web Push switch and its status.
 * @csspart push-label - The switch's label.
 * @csspart push-switch - The switch (a checkbox with the switch role).
 * @csspart push-status - On, off, waiting, or blocked and how to allow it (also `push-blocked` then, or when a change failed).
 * @cssproperty --comet-accent - Colour of the checkboxes.
 * @cssproperty --comet-muted - Colour of explanations.
 * @cssproperty --comet-radius - Corner radius.
 * @event comet-preferences-change - The preferences changed, here or on another device; `detail.preferences` and `detail.critical`.
 */
export class CometPreferences extends CometElement<CometPreferencesStrings> {
  static override styles = preferencesStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    categories: { attribute: false },
    channels: {},
  };

  constructor() {
    super();
    this.watchClient(() => this.#follow());
    this.categories = [];
    this.channels = 'inbox toast';
  }

  /** The categories to offer, in order; categories the user set or the server keeps critical are added after them. */
  declare categories: readonly PreferenceCategory[];

  /** The channels offered, space-separated, of `inbox`, `toast` and `push`. */
  declare channels: string;

  #preferences: InboxPreferences | undefined;
  #critical: readonly string[] = [];
  #inbox: Inbox | undefined;
  #client: CometClient | undefined;
  #status: 'loading' | 'ready' | 'error' = 'loading';
  #message = '';
  /** Bumped by every local change: an older change's answer does not overwrite a newer one's state. */
  #changes = 0;
  /** The Web Push switch, its code loaded the first time the element looks at push. */
  #push: Promise<PushToggle> | undefined;
  #pushToggle: PushToggle | undefined;
  /** Bumped by every live `preferences` event: a read that started before one is older than it and dropped. */
  #heard = 0;
  readonly #onPreferences = (event: InboxPreferencesEvent): void => {
    this.#heard += 1;
    this.#take(event.preferences, event.critical);
  };
  /** Events may have been missed (a gap, a reconnect): read the preferences again. */
  readonly #onResync = (): void => {
    if (this.#client) void this.#reload(this.#client).catch(() => {});
  };

  /** The preferences as shown, once loaded. */
  get preferences(): InboxPreferences | undefined {
    return this.#preferences;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unfollow();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#follow();
    this.#lookAtPush();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channels')) this.#lookAtPush();
  }

  /** Only where push is offered: no push code or request otherwise. */
  #lookAtPush(): void {
    if (!this.isConnected || !this.#channels.includes('push')) return;
    this.#push ??= import('../push/push-toggle.js').then(({ PushToggle }) => (this.#pushToggle = new PushToggle(this, () => this.strings)));
    // A failed download may succeed on the next look.
    this.#push.then((toggle) => toggle.refresh(), () => (this.#push = undefined));
  }

  #follow(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#client) return;
    this.#unfollow();
    this.#client = client;
    if (!client) return;
    this.#status = 'loading';
    client
      .inbox()
      .then(async (inbox) => {
        if (this.#client !== client) return;
        this.#inbox = inbox;
        inbox.addEventListener('preferences', this.#onPreferences);
        inbox.addEventListener('resync', this.#onResync);
        // Followed first, then read: a change made on another device after the read arrives as a `preferences` event.
        await inbox.start();
        await this.#reload(client);
      })
      .catch((error: unknown) => {
        if (this.#client !== client) return;
        this.#status = 'error';
        this.#message = format(this.#strings.error, { error: errorText(error) });
        this.requestUpdate();
      });
  }

  async #reload(client: CometClient): Promise<void> {
    const heard = this.#heard;
    const answer = await this.#inbox!.preferences();
    if (this.#client === client && heard === this.#heard) this.#take(answer.preferences, answer.critical);
  }

  #unfollow(): void {
    this.#inbox?.removeEventListener('preferences', this.#onPreferences);
    this.#inbox?.removeEventListener('resync', this.#onResync);
    this.#inbox = undefined;
    this.#client = undefined;
  }

  #take(preferences: InboxPreferences, critical: readonly string[], saved = false): void {
    const before = this.#preferences;
    const changed = saved || (before !== undefined && JSON.stringify([before, this.#critical]) !== JSON.stringify([preferences, critical]));
    this.#preferences = preferences;
    this.#critical = critical;
    this.#status = 'ready';
    this.requestUpdate();
    if (changed) emit(this, 'comet-preferences-change', { preferences, critical });
  }

  get #strings(): PreferencesOwnStrings {
    return mergeStrings(DEFAULT_STRINGS, this.strings);
  }

  get #channels(): InboxDeliveryChannel[] {
    const wanted = new Set(String(this.channels).split(/\s+/));
    return INBOX_DELIVERY_CHANNELS.filter((channel) => wanted.has(channel));
  }

  /** Applies `patch` at once and saves it; the server's answer is what stays, or the state before if it refuses. */
  async #save(patch: { enabled?: boolean; category?: string; channel?: InboxDeliveryChannel; value?: boolean }): Promise<void> {
    const inbox = this.#inbox;
    const before = this.#preferences;
    if (!inbox || !before) return;
    const { enabled, category, channel, value } = patch;
    const request =
      enabled !== undefined
        ? { enabled }
        : { categories: { [category!]: { [channel!]: value } } };
    this.#preferences =
      enabled !== undefined
        ? { ...before, enabled }
        : { ...before, categories: { ...before.categories, [category!]: { ...(before.categories[category!] ?? { inbox: true, toast: true, push: true }), [channel!]: value! } } };
    this.#message = '';
    const change = ++this.#changes;
    this.requestUpdate();
    try {
      const answer = await inbox.setPreferences(request);
      if (change !== this.#changes) return;
      this.#message = this.#strings.saved;
      this.#take(answer.preferences, answer.critical, true);
    } catch (error) {
      if (change !== this.#changes) return;
      this.#preferences = before;
      this.#message = format(this.#strings.failed, { error: errorText(error) });
      this.requestUpdate();
    }
  }

  protected override render() {
    const strings = this.#strings;
    const preferences = this.#preferences;
    if (!this.client) return html`<p part="status" role="status">${strings.notConnected}</p>`;
    if (!preferences) {
      return this.#status === 'error'
        ? html`<p part="status" role="alert">${this.#message}</p>`
        : html`<p part="status" role="status" aria-busy="true">${strings.loading}</p>`;
    }
    const channels = this.#channels;
    const given = new Map(this.categories.map((category) => [category.id, category.label ?? category.id]));
    for (const id of [...Object.keys(preferences.categories), ...this.#critical]) if (!given.has(id)) given.set(id, id);
    const failed = this.#message !== '' && this.#message !== strings.saved;
    return html`<form part="form" @submit=${(event: Event) => event.preventDefault()}>
      <fieldset>
        <legend>${strings.heading}</legend>
        <label part="global">
          <input type="checkbox" role="switch" .checked=${preferences.enabled} @change=${(event: Event) => void this.#save({ enabled: (event.target as HTMLInputElement).checked })} />
          ${strings.enabled}
        </label>
        <p id="off" part="status" ?hidden=${preferences.enabled}>${strings.off}</p>
        ${channels.includes('push') ? this.#pushToggle?.render() : nothing}
        <table part="table">
          <thead>
            <tr>
              <th scope="col">${strings.category}</th>
              ${channels.map((channel) => html`<th scope="col" id=${`channel-${channel}`}>${strings[channel]}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${[...given].map(([id, label], row) => {
              const critical = this.#critical.includes(id);
              const reaches = delivery(preferences, this.#critical, id);
              return html`<tr>
                <th scope="row" part="category">
                  <span id=${`category-${row}`}>${label}</span>${critical ? html`<span part="critical" id=${`critical-${row}`}>${strings.critical}</span>` : nothing}
                </th>
                ${channels.map(
                  (channel) => html`<td>
                    <input
                      part="checkbox"
                      type="checkbox"
                      data-category=${id}
                      data-channel=${channel}
                      aria-labelledby=${`category-${row} channel-${channel}`}
                      aria-describedby=${critical ? `critical-${row}` : preferences.enabled ? nothing : 'off'}
                      .checked=${reaches[channel]}
                      ?disabled=${critical || !preferences.enabled}
                      @change=${(event: Event) => void this.#save({ category: id, channel, value: (event.target as HTMLInputElement).checked })}
                    />
                  </td>`,
                )}
              </tr>`;
            })}
          </tbody>
        </table>
      </fieldset>
      <p part="status" role=${failed ? 'alert' : 'status'}>${this.#message}</p>
    </form>`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
