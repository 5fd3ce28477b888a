import { html, nothing, svg, type PropertyValues } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import { keyedList } from '../lists/keyed-list.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { ChannelEvents } from '../lists/channel-events.js';
import { emit } from '../shared/events.js';
import { notificationText } from '../text/notification-text.js';
import { placeUnder } from '../popover/popover.js';
import { RelativeTimeController, relativeTime } from '../text/relative-time.js';
import { format, languageOf } from '../shared/strings.js';
import { mergePluralStrings, plural, type PluralString } from '../text/plural.js';
import { bellStyles } from './comet-bell.styles.js';
import { ReadState } from './read-state.js';
import type { InboxViewStrings } from '../inbox/inbox-view.js';
import { LazyInboxView } from '../inbox/load-inbox-view.js';
import type { PushToggle, PushToggleStrings } from '../push/push-toggle.js';

export interface CometBellStrings extends PushToggleStrings {
  /** Accessible name of the button; `{count}` unread; plural forms by count. */
  button: PluralString;
  /** With `inbox` and `count="unseen"`; `{count}` unseen; plural forms by count. */
  buttonUnseen: PluralString;
  buttonNone: string;
  heading: string;
  markAll: string;
  markRead: string;
  /** Accessible name of one item's mark-read button; `{title}`. */
  markReadLabel: string;
  empty: string;
  loading: string;
  error: string;
  open: string;
  unread: string;
}

/** The bell's own strings; the push switch's come with its code. */
type BellOwnStrings = Omit<CometBellStrings, keyof PushToggleStrings>;

const DEFAULT_STRINGS: BellOwnStrings = {
  button: { other: 'Notifications, {count} unread' },
  buttonUnseen: { other: 'Notifications, {count} new' },
  buttonNone: 'Notifications',
  heading: 'Notifications',
  markAll: 'Mark all read',
  markRead: 'Mark read',
  markReadLabel: 'Mark read: {title}',
  empty: 'No notifications yet.',
  loading: 'Loading…',
  error: 'Could not load notifications: {error}',
  open: 'Open',
  unread: 'Unread',
};

const bellIcon = svg`<path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Zm-2.6 15.5a2.7 2.7 0 0 0 5.2 0Z" fill="currentColor"/>`;

/**
 * A bell with the number of unread notifications of a channel, opening a
 * panel (Popover API) that lists them, with "mark read" per item and "mark
 * all read". Read state is kept in localStorage under `storage-key` and
 * shared by every open tab of the site at once. Any script of the site can
 * write there, so what it says marks read only notifications the bell
 * shows when it is read, never one that arrives later; at most the newest
 * 500 ids are taken (see SECURITY.md, "Same-origin scripts").
 *
 * With `inbox`, the bell shows the user's inbox kept by the server
 * (`client.inbox()`, PROTOCOL.md "Inbox") instead of a channel: the badge
 * counts the server's unread (or, with `count="unseen"`, unseen) items, the
 * panel has Unread / All / Archived views, "mark all read", read/unread and
 * archive per item; items are marked seen as they become visible and read
 * when their link is opened; every change shows at once and is undone, with
 * a message, if the server refuses it; older items load as the list is
 * scrolled. Items show their avatar, severity, formatted text (bold,
 * italic, code, http(s) links, built as elements), actions (pending until
 * their result replaces them), a group's "Ada and 9 others" and count, and
 * a snooze menu. Changes made on the user's other devices appear live. The local
 * read state above remains for servers without an inbox.
 *
 * With `inbox`, the panel's foot also has this browser's Web Push switch
 * (`client.push`, README "Push"), shown when the panel opens if the browser
 * has Web Push and the server has VAPID keys: turning it on asks the
 * browser's permission (a click is the gesture browsers require) and
 * subscribes; its status says whether it is on, off, or blocked by the
 * browser and how to allow it again. Hide it with `::part(push)`. Its words are in
 * `strings`: `pushLabel`, `pushOn`, `pushOff`, `pushBusy`, `pushBlocked`
 * and `pushFailed` (`{error}`).
 *
 * @tagname comet-bell
 * @summary Notification bell with unread count and panel.
 * @csspart button - The bell button.
 * @csspart icon - The bell icon.
 * @csspart badge - The unread count (99+ above 99).
 * @csspart panel - The popover panel.
 * @csspart header - The panel's header.
 * @csspart heading - The panel's title.
 * @csspart mark-all - The "mark all read" button.
 * @csspart list - The list of notifications.
 * @csspart item - One notification; also `unread` while unread.
 * @csspart unread - An unread notification.
 * @csspart title - A notification's title.
 * @csspart body - A notification's text.
 * @csspart time - When it arrived, relative ("5 minutes ago").
 * @csspart link - The notification's link (http(s) only).
 * @csspart mark-read - One notification's "mark read" button.
 * @csspart empty - Shown when there is nothing, while loading, or on error.
 * @cssproperty --comet-bell-size - Button size.
 * @cssproperty --comet-bell-radius - Button corner radius.
 * @cssproperty --comet-bell-background - Button background.
 * @cssproperty --comet-bell-badge - Badge background.
 * @cssproperty --comet-bell-badge-text - Badge text colour.
 * @cssproperty --comet-bell-panel-width - Panel width.
 * @cssproperty --comet-bell-panel-height - Most panel height.
 * @cssproperty --comet-bell-unread - Background of unread items.
 * @event comet-notification - A new notification arrived live; `detail.event`.
 * @event comet-bell-read - Notifications were marked read here; `detail.ids` and `detail.all`.
 * @event comet-bell-toggle - The panel opened or closed; `detail.open`.
 * @csspart views - With `inbox`: the Unread / All / Archived buttons.
 * @csspart view - One view button; also `view-current` for the one shown.
 * @csspart notice - With `inbox`: why a change was undone (the server refused it).
 * @csspart archive - With `inbox`: one notification's archive button.
 * @csspart unseen - With `inbox`: a notification not yet seen.
 * @csspart load-older - With `inbox`: loads older notifications (also when scrolled into view).
 * @cssproperty --comet-inbox-unread - With `inbox`: background of unread items.
 * @csspart avatar - With `inbox`: an item's avatar image, or its actor's initials (also `avatar-initials`).
 * @csspart severity - With `inbox`: an item's severity in words; the item also has `severity-info`, `severity-success`, `severity-warning` or `severity-error`.
 * @csspart body - With `inbox`: an item's text, with its bold, italic, code and links.
 * @csspart body-link - With `inbox`: a link in an item's text (http(s) only).
 * @csspart group - With `inbox`: who a group of notifications is from ("Ada and 9 others").
 * @csspart group-count - With `inbox`: how many notifications a group holds.
 * @csspart item-actions - With `inbox`: an item's action buttons.
 * @csspart action - With `inbox`: one action; also `action-primary` or `action-secondary`, `action-link` for a link, `action-pending` while it runs.
 * @csspart result - With `inbox`: what an action that ran answered, in place of the buttons.
 * @csspart menu - With `inbox`: an item's snooze menu (`menu-button`, `menu-list`, and a `snooze` button per preset).
 * @csspart push - With `inbox`: the Web Push switch and its status, at the panel's foot.
 * @csspart push-label - The switch's label.
 * @csspart push-switch - The switch (a checkbox with the switch role).
 * @csspart push-status - On, off, waiting, or blocked and how to allow it (also `push-blocked` then, or when a change failed).
 * @cssproperty --comet-inbox-info - With `inbox`: accent of items by severity (also `--comet-inbox-success`, `-warning`, `-error`).
 */
export class CometBell extends CometElement<CometBellStrings> {
  static override styles = bellStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    limit: { type: Number },
    storageKey: { attribute: 'storage-key' },
    unread: { type: Number, reflect: true },
    open: { type: Boolean, reflect: true },
    inbox: { type: Boolean, reflect: true },
    count: { reflect: true },
    inboxStrings: { attribute: false },
  };

  constructor() {
    super();
    this.channel = '';
    this.limit = 50;
    this.storageKey = '';
    this.unread = 0;
    this.open = false;
    this.inbox = false;
    this.count = 'unread';
    this.inboxStrings = {};
  }

  /** The channel of notifications. */
  declare channel: string;

  /** Most notifications kept. */
  declare limit: number;

  /** Where read state is kept; default the channel. Include the user (e.g. `u42:inbox`) when several people share a browser. */
  declare storageKey: string;

  /** Unread notifications, reflected for styling and tests; set by the element. */
  declare unread: number;

  /** Whether the panel is open, reflected; set by the element. */
  declare open: boolean;

  /**
   * Use the server's inbox (`client.inbox()`) instead of a channel: state
   * kept by the server and shared by the user's devices, Unread / All /
   * Archived views, archive, endless scroll. `channel` is not needed.
   */
  declare inbox: boolean;

  /** With `inbox`: what the badge counts, `unread` (default) or `unseen`. */
  declare count: 'unread' | 'unseen';

  /** With `inbox`: replacement strings of the inbox view (i18n). */
  declare inboxStrings: Partial<InboxViewStrings>;

  /** @internal */
  get panel(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('[part="panel"]') ?? null;
  }
  /** @internal */
  get button(): HTMLButtonElement | null {
    return this.renderRoot?.querySelector<HTMLButtonElement>('[part="button"]') ?? null;
  }

  readonly #events = new ChannelEvents(this, {
    channel: () => this.channel,
    limit: () => this.limit,
    onLive: (event) => emit(this, 'comet-notification', { event }),
  });
  readonly #clock = new RelativeTimeController(this);
  readonly #inbox = new LazyInboxView(this, {
    enabled: () => this.inbox,
    pageSize: () => Math.min(100, Math.max(1, this.limit)),
    strings: () => this.inboxStrings,
  });
  /** The Web Push switch, its code loaded the first time the element looks at push. */
  #push: Promise<PushToggle> | undefined;
  #pushToggle: PushToggle | undefined;
  #readState: ReadState | undefined;
  #stopReadState: (() => void) | undefined;

  /** Notifications held, newest first. */
  get notifications(): readonly CometEvent[] {
    return this.#events.items;
  }

  isRead(event: CometEvent): boolean {
    return this.#readState?.isRead(event) ?? false;
  }

  markRead(events: readonly CometEvent[]): void {
    if (!this.#readState || events.length === 0) return;
    this.#readState.markRead(events);
    emit(this, 'comet-bell-read', { ids: events.map((e) => e.id), all: false });
  }

  markAllRead(): void {
    const newest = this.#events.items[0];
    if (!this.#readState || !newest) return;
    const ids = this.#events.items.filter((e) => !this.isRead(e)).map((e) => e.id);
    this.#readState.markAllRead();
    emit(this, 'comet-bell-read', { ids, all: true });
  }

  show(): void {
    this.panel?.showPopover();
  }

  hide(): void {
    this.panel?.hidePopover();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#openReadState();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopReadState?.();
    this.#stopReadState = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel')) this.#events.sync();
    if (changed.has('limit')) this.#events.trim();
    if (changed.has('channel') || changed.has('storageKey')) this.#openReadState();
    if (changed.has('inbox')) this.#inbox.sync();
    this.#readState?.show(this.#events.items, this.#events.status === 'ready' || this.#events.status === 'error');
    this.unread = this.inbox
      ? (this.#inbox.counts?.[this.count === 'unseen' ? 'unseen' : 'unread'] ?? 0)
      : this.#events.items.reduce((count, event) => count + (this.isRead(event) ? 0 : 1), 0);
  }

  protected override firstUpdated(): void {
    // The native invoker relation gives aria-expanded, focus return and light dismiss for free.
    if (this.button && this.panel) this.button.popoverTargetElement = this.panel;
  }

  #openReadState(): void {
    const key = this.storageKey || this.channel;
    this.#stopReadState?.();
    this.#stopReadState = undefined;
    this.#readState = undefined;
    if (!key || !this.isConnected) return;
    this.#readState = new ReadState(key);
    this.#stopReadState = this.#readState.subscribe(() => this.requestUpdate());
    this.requestUpdate();
  }

  #onToggle(event: ToggleEvent): void {
    this.open = event.newState === 'open';
    // Looked at when the panel opens, not on load: no push code or request on a page where nobody opens it.
    if (this.open && this.inbox) this.#lookAtPush();
    if (this.open && this.panel && this.button) {
      placeUnder(this.panel, this.button);
      (this.panel.querySelector<HTMLElement>('[part="list"] button, [part="list"] a') ?? this.panel.querySelector<HTMLElement>('[part="mark-all"]'))?.focus();
    }
    emit(this, 'comet-bell-toggle', { open: this.open });
  }

  #lookAtPush(): void {
    this.#push ??= import('../push/push-toggle.js').then(({ PushToggle }) => (this.#pushToggle = new PushToggle(this, () => this.strings)));
    // A failed download may succeed on the next look.
    this.#push.then((toggle) => toggle.refresh(), () => (this.#push = undefined));
  }

  /** Up and down move between the panel's buttons and links; Home and End jump. */
  #onPanelKeyDown(event: KeyboardEvent): void {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const focusable = [...(this.panel?.querySelectorAll<HTMLElement>('button, a[href], input') ?? [])].filter((el) => !(el as HTMLButtonElement).disabled);
    if (focusable.length === 0) return;
    event.preventDefault();
    const index = focusable.indexOf(this.shadowRoot?.activeElement as HTMLElement);
    const next =
      event.key === 'Home' ? 0
      : event.key === 'End' ? focusable.length - 1
      : event.key === 'ArrowDown' ? (index + 1) % focusable.length
      : (index - 1 + focusable.length) % focusable.length;
    focusable[next]!.focus();
  }

  #item(event: CometEvent, strings: BellOwnStrings, language: string) {
    const read = this.isRead(event);
    const { title, body, url } = notificationText(event);
    return html`<li part=${read ? 'item' : 'item unread'} data-id=${event.id}>
      <span part="title">${read ? nothing : html`<span class="visually-hidden">${strings.unread}: </span>`}${title}</span>
      ${read
        ? html`<span></span>`
        : html`<button part="mark-read" type="button" aria-label=${format(strings.markReadLabel, { title })} @click=${() => this.markRead([event])}>
            ${strings.markRead}
          </button>`}
      ${body ? html`<span part="body">${body}</span>` : nothing}
      <time part="time" datetime=${new Date(event.time).toISOString()} title=${new Date(event.time).toLocaleString(language)}
        >${relativeTime(event.time, this.#clock.now, language)}</time
      >
      ${url
        ? html`<a part="link" href=${url} target="_blank" rel="noopener noreferrer" @click=${() => this.markRead([event])}>${strings.open}</a>`
        : nothing}
    </li>`;
  }

  protected override render() {
    const strings = mergePluralStrings(DEFAULT_STRINGS, this.strings);
    const language = languageOf(this);
    const items = this.#events.items;
    const badge = this.unread > 99 ? '99+' : String(this.unread);
    let empty = '';
    if (items.length === 0) {
      empty = this.#events.status === 'loading' ? strings.loading : this.#events.status === 'error' ? format(strings.error, { error: this.#events.error }) : strings.empty;
    }
    return html`<button part="button" type="button" aria-haspopup="dialog" aria-label=${this.unread > 0 ? plural(this.inbox && this.count === 'unseen' ? strings.buttonUnseen : strings.button, this.unread, language, { count: badge }) : strings.buttonNone}>
        <svg part="icon" viewBox="0 0 24 24" aria-hidden="true">${bellIcon}</svg>
        ${this.unread > 0 ? html`<span part="badge" aria-hidden="true">${badge}</span>` : nothing}
      </button>
      <div part="panel" popover role="dialog" aria-labelledby="heading" @toggle=${this.#onToggle} @keydown=${this.#onPanelKeyDown}>
        <div part="header">
          <h2 part="heading" id="heading">${strings.heading}</h2>
          ${this.inbox ? nothing : html`<button part="mark-all" type="button" ?disabled=${this.unread === 0} @click=${() => this.markAllRead()}>${strings.markAll}</button>`}
        </div>
        ${this.inbox
          ? this.#inbox.render({ language, now: this.#clock.now, root: () => this.panel })
          : items.length === 0
          ? html`<p part="empty" role="status">${empty}</p>`
          : html`<ul part="list">
              ${keyedList(items, (event) => event.id, (event) => this.#item(event, strings, language))}
            </ul>`}
        ${this.inbox ? this.#pushToggle?.render() : nothing}
      </div>`;
  }
}
