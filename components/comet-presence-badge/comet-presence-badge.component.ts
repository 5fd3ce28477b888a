import { html, type PropertyValues } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import { emit } from '../shared/events.js';
import { PresenceController } from '../presence/presence-controller.js';
import { format, mergeStrings } from '../shared/strings.js';
import { badgeStyles } from './comet-presence-badge.styles.js';

export interface CometPresenceBadgeStrings {
  /** `{user}` is the `label` attribute or the user id. */
  online: string;
  offline: string;
}

const DEFAULT_STRINGS: CometPresenceBadgeStrings = {
  online: '{user} is online',
  offline: '{user} is offline',
};

export type CometPresenceBadgeChangeDetail = { channel: string; user: string; online: boolean };

/**
 * An online dot for one user on a channel, next to a name or an avatar the
 * page already shows. It only watches: it never counts this page as present.
 *
 * @tagname comet-presence-badge
 * @summary Online dot for one user.
 * @slot - Content shown next to the dot (a name, an avatar).
 * @csspart dot - The dot.
 * @cssproperty --comet-badge-size - Dot size.
 * @cssproperty --comet-badge-online - Dot colour when online.
 * @cssproperty --comet-badge-offline - Dot colour when offline.
 * @cssproperty --comet-badge-ring - Ring around the dot.
 * @event comet-presence-badge-change - The user came online or went offline; `detail` has `channel`, `user`, `online`.
 */
export class CometPresenceBadge extends CometElement<CometPresenceBadgeStrings> {
  static override styles = badgeStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    user: { reflect: true },
    label: {},
    online: { type: Boolean, reflect: true },
  };

  constructor() {
    super();
    this.channel = '';
    this.user = '';
    this.label = '';
    this.online = false;
  }

  /** The channel presence is read from. */
  declare channel: string;

  /** The user id (the token's `sub`). */
  declare user: string;

  /** How the user is named to assistive technology; the user id by default. */
  declare label: string;

  /** Whether the user is online, reflected for styling; set by the element. */
  declare online: boolean;

  readonly #presence = new PresenceController(this, () => ({ channel: this.channel, announce: false }), () => undefined);

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel')) this.#presence.sync();
    const online = Boolean(this.user) && (this.#presence.roster?.has(this.user) ?? false);
    if (online !== this.online) {
      this.online = online;
      // Not for the first render: a page learns the initial state from the attribute.
      if (this.hasUpdated || online) emit<CometPresenceBadgeChangeDetail>(this, 'comet-presence-badge-change', { channel: this.channel, user: this.user, online });
    }
  }

  protected override render() {
    const strings = mergeStrings(DEFAULT_STRINGS, this.strings);
    const text = format(this.online ? strings.online : strings.offline, { user: this.label || this.user });
    return html`<span part="dot" role="img" aria-label=${text} title=${text}></span><slot></slot>`;
  }
}
