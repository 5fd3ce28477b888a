import { html, nothing, type PropertyValues } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import { keyedList } from '../lists/keyed-list.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { PresenceChangeEvent, PresenceMember } from '../../src/presence/presence-roster.js';
import { emit } from '../shared/events.js';
import { placeUnder } from '../popover/popover.js';
import { PresenceController, hueOf, initials } from '../presence/presence-controller.js';
import { format, languageOf } from '../shared/strings.js';
import { mergePluralStrings, plural, type PluralString } from '../text/plural.js';
import { presenceStyles } from './comet-presence.styles.js';

export interface CometPresenceStrings {
  /** Accessible name of the list, `{count}` people; plural forms by count. */
  label: PluralString;
  /** Visible count; plural forms by count. */
  count: PluralString;
  /** The `+N` button; `{count}` more. */
  more: string;
  /** Read after the `+N` by assistive technology; `{total}` people; plural forms by total. */
  moreLabel: PluralString;
  /** After this client's own name. */
  you: string;
  nobody: string;
  /** Shown instead of `nobody` when presence failed (the reason is the count's `title`). */
  unavailable: string;
}

const DEFAULT_STRINGS: CometPresenceStrings = {
  label: { other: 'Online now: {count}' },
  count: { other: '{count} online' },
  more: '+{count}',
  moreLabel: { one: 'more, show the {total} person online', other: 'more, show all {total} people online' },
  you: '(you)',
  nobody: 'Nobody online',
  unavailable: 'Presence unavailable',
};

export type CometPresenceChangeDetail = {
  channel: string;
  joined: readonly PresenceMember[];
  left: readonly PresenceMember[];
  members: readonly PresenceMember[];
};

/**
 * Who is on a channel right now: avatars (initials), a `+N` overflow that
 * opens the full list, and a count. Each user appears once however many
 * tabs they have; this page counts as present unless `watch` is set.
 *
 * @tagname comet-presence
 * @summary Who is online on a channel.
 * @csspart base - The wrapper.
 * @csspart list - The list of avatars.
 * @csspart avatar - One person's avatar (also `self` for this client's user).
 * @csspart self - This client's own avatar.
 * @csspart overflow - The `+N` button.
 * @csspart panel - The popover listing everyone.
 * @csspart count - The "N online" text.
 * @csspart error - The count when presence failed ("Presence unavailable"; the reason in its `title`).
 * @cssproperty --comet-avatar-size - Avatar diameter.
 * @cssproperty --comet-avatar-radius - Avatar corner radius (50% is round).
 * @cssproperty --comet-avatar-ring - Ring separating overlapping avatars.
 * @cssproperty --comet-accent - Ring around this client's own avatar.
 * @event comet-presence-change - Someone joined or left; `detail` has `channel`, `joined`, `left`, `members`.
 */
export class CometPresence extends CometElement<CometPresenceStrings> {
  static override styles = presenceStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    max: { type: Number },
    watch: { type: Boolean },
    hideCount: { type: Boolean, attribute: 'hide-count' },
    count: { type: Number, reflect: true },
  };

  constructor() {
    super();
    this.channel = '';
    this.max = 5;
    this.watch = false;
    this.hideCount = false;
    this.count = 0;
  }

  /** The channel whose presence is shown. */
  declare channel: string;

  /** Most avatars shown before `+N`. */
  declare max: number;

  /** Only watch: do not count this page as present. */
  declare watch: boolean;

  /** Hide the "N online" text. */
  declare hideCount: boolean;

  /** Number of users present, reflected for styling and tests; set by the element. */
  declare count: number;

  /** @internal */
  get panel(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('[part="panel"]') ?? null;
  }
  /** @internal */
  get overflowButton(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('[part="overflow"]') ?? null;
  }

  readonly #presence = new PresenceController(
    this,
    () => ({ channel: this.channel, announce: !this.watch }),
    (event) => this.#changed(event),
  );

  /** Everyone present, in order of arrival. */
  get members(): readonly PresenceMember[] {
    return this.#presence.roster?.members ?? [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel') || changed.has('watch')) this.#presence.sync();
    this.count = this.members.length;
  }

  #changed(event: PresenceChangeEvent): void {
    emit<CometPresenceChangeDetail>(this, 'comet-presence-change', {
      channel: this.channel,
      joined: event.joined,
      left: event.left,
      members: this.members,
    });
  }

  protected override updated(): void {
    // The native invoker relation gives aria-expanded, focus return and light dismiss.
    const button = this.overflowButton as HTMLButtonElement | null;
    if (button && this.panel && button.popoverTargetElement !== this.panel) button.popoverTargetElement = this.panel;
  }

  #onToggle(event: ToggleEvent): void {
    if (event.newState === 'open' && this.panel && this.overflowButton) placeUnder(this.panel, this.overflowButton);
  }

  #avatar(member: PresenceMember, self: string | undefined) {
    const isSelf = member.user === self;
    return html`<li>
      <span
        part=${isSelf ? 'avatar self' : 'avatar'}
        style=${styleMap({ '--_hue': String(hueOf(member.user)) })}
        title=${member.name}
        aria-hidden="true"
        >${initials(member.name)}</span
      ><span class="visually-hidden">${member.name}${isSelf ? ` ${this.#strings.you}` : ''}</span>
    </li>`;
  }

  get #strings(): CometPresenceStrings {
    return mergePluralStrings(DEFAULT_STRINGS, this.strings);
  }

  protected override render() {
    const strings = this.#strings;
    const members = this.members;
    const self = this.#presence.roster?.self?.user;
    const max = Number.isFinite(this.max) && this.max >= 0 ? Math.floor(this.max) : 5;
    // This client first: people look for themselves before anyone else.
    const ordered = self ? [...members.filter((m) => m.user === self), ...members.filter((m) => m.user !== self)] : members;
    const shown = ordered.slice(0, max);
    const hidden = members.length - shown.length;
    const language = languageOf(this);
    const label = plural(strings.label, members.length, language);
    return html`<div part="base">
      <ul part="list" aria-label=${label}>
        ${keyedList(shown, (m) => m.user, (m) => this.#avatar(m, self))}
        ${hidden > 0
          ? html`<li>
              <button part="overflow" type="button" aria-haspopup="dialog">
                ${format(strings.more, { count: hidden })}<span class="visually-hidden"> ${plural(strings.moreLabel, members.length, language, { count: hidden, total: members.length })}</span>
              </button>
            </li>`
          : nothing}
      </ul>
      ${this.hideCount
        ? nothing
        : members.length === 0 && this.#presence.error
          ? html`<span part="count error" role="alert" title=${this.#presence.error}>${strings.unavailable}</span>`
          : html`<span part="count" aria-hidden="true">${members.length === 0 ? strings.nobody : plural(strings.count, members.length, language)}</span>`}
      ${hidden > 0
        ? html`<div part="panel" popover role="dialog" @toggle=${this.#onToggle} aria-label=${label}>
            <ul>
              ${keyedList(ordered, (m) => m.user, (m) => html`<li>${m.name}${m.user === self ? ` ${strings.you}` : ''}</li>`)}
            </ul>
          </div>`
        : nothing}
    </div>`;
  }
}
