import type { VirtualizerHostElement } from './virtualize.js';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import { keyedList } from '../lists/keyed-list.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { ChannelEvents } from '../lists/channel-events.js';
import { emit } from '../shared/events.js';
import { RelativeTimeController, relativeTime } from '../text/relative-time.js';
import { format, languageOf, mergeStrings } from '../shared/strings.js';
import { summarize } from '../text/summarize.js';
import { feedStyles } from './comet-feed.styles.js';
import type { InboxViewStrings } from '../inbox/inbox-view.js';
import { LazyInboxView } from '../inbox/load-inbox-view.js';

export interface CometFeedStrings {
  /** Accessible name of the list. */
  label: string;
  /** The pill shown when new events arrived while scrolled; `{count}`. */
  newItems: string;
  loading: string;
  empty: string;
  notConnected: string;
  /** `{error}` is the reason. */
  error: string;
  retry: string;
}

const DEFAULT_STRINGS: CometFeedStrings = {
  label: 'Live events',
  newItems: '{count} new',
  loading: 'Loading…',
  empty: 'No events yet.',
  notConnected: 'Not connected.',
  error: 'Could not load earlier events: {error}',
  retry: 'Retry',
};

/** What a custom `renderItem` gets besides the event. */
export interface FeedItemContext {
  /** "5 minutes ago", in the page's language, kept current. */
  readonly relativeTime: string;
  readonly index: number;
}

/** Up to this many items render as plain DOM; more are virtualized. */
const PLAIN_MAX_ITEMS = 30;

type VirtualizerModule = typeof import('./virtualize.js');

/**
 * The virtualizer is the largest part of the feed and most feeds never
 * need it: it loads the first time a feed grows past PLAIN_MAX_ITEMS.
 */
let virtualizer: VirtualizerModule | undefined;
let loadingVirtualizer: Promise<VirtualizerModule> | undefined;
function loadVirtualizer(): Promise<VirtualizerModule> {
  loadingVirtualizer ??= import('./virtualize.js').then((module) => (virtualizer = module));
  // A failed load (offline) is tried again by the next render that needs it.
  loadingVirtualizer.catch(() => (loadingVirtualizer = undefined));
  return loadingVirtualizer;
}

/** Scrolled less than this from the top still counts as "at the top": new events show at once. */
const TOP_SLACK_PX = 4;

/**
 * A live list of a channel's events, newest first. When the reader has
 * scrolled away from the top, or is on an item with the keyboard, new
 * events wait behind an "N new" pill instead of moving what is being read. Long lists are virtualized (only
 * what is on screen is in the DOM), timestamps are relative and kept
 * current, and the list is navigable with the keyboard (arrows, Page
 * Up/Down, Home, End).
 *
 * With `inbox`, the feed shows the user's inbox kept by the server
 * (`client.inbox()`) instead of a channel: Unread / All / Archived views,
 * "mark all read", read/unread and archive per item, seen as items become
 * visible, endless scroll into older items (however old: the server's
 * inbox, not the channel's history), and live changes from the user's
 * other devices; items rich as in `<comet-bell inbox>` (avatar, severity,
 * formatted text, actions, groups, snooze). A change the server refuses is
 * undone with a message.
 *
 * @tagname comet-feed
 * @summary Live list of a channel's events.
 * @slot loading - Shown while the first events load.
 * @slot empty - Shown when the channel has no events.
 * @slot error - Shown when history could not be loaded and there is nothing to show.
 * @csspart list - The scrolling list (`role="feed"`).
 * @csspart item - One event (`role="article"`).
 * @csspart type - The event's type.
 * @csspart text - The event's text.
 * @csspart time - When it was published, relative.
 * @csspart status - Loading, empty, error and not-connected messages.
 * @csspart retry - The retry button after an error.
 * @csspart new-pill - The "N new" button shown while scrolled.
 * @cssproperty --comet-feed-height - Most height of the list; its fixed height once it holds more than 30 items (virtualized).
 * @cssproperty --comet-feed-gap - Space between items.
 * @cssproperty --comet-feed-item-padding - Padding inside an item.
 * @cssproperty --comet-feed-pill - Background of the "N new" pill.
 * @cssproperty --comet-feed-pill-text - Text colour of the pill.
 * @cssproperty --comet-surface - Item background.
 * @cssproperty --comet-muted - Secondary text colour.
 * @cssproperty --comet-radius - Corner radius.
 * @event comet-feed-item - An event arrived live; `detail.event` is the event.
 * @event comet-feed-reveal - Events waiting behind the pill were shown; `detail.count`.
 * @csspart inbox-scroll - With `inbox`: the scrolling inbox view.
 * @csspart inbox - With `inbox`: the view inside it.
 * @csspart views - With `inbox`: the Unread / All / Archived buttons.
 * @csspart view - One view button; also `view-current` for the one shown.
 * @csspart mark-all - With `inbox`: the "mark all read" button.
 * @csspart notice - With `inbox`: why a change was undone (the server refused it).
 * @csspart mark-read - With `inbox`: an item's read / unread button.
 * @csspart archive - With `inbox`: an item's archive button.
 * @csspart unread - With `inbox`: an unread item.
 * @csspart unseen - With `inbox`: an item not yet seen.
 * @csspart load-older - With `inbox`: loads older items (also when scrolled into view).
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
 * @cssproperty --comet-inbox-info - With `inbox`: accent of items by severity (also `--comet-inbox-success`, `-warning`, `-error`).
 */
export class CometFeed extends CometElement<CometFeedStrings> {
  static override styles = feedStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    limit: { type: Number },
    renderItem: { attribute: false },
    inbox: { type: Boolean, reflect: true },
    inboxStrings: { attribute: false },
    pending: { type: Number, reflect: true },
  };

  constructor() {
    super();
    this.channel = '';
    this.limit = 50;
    this.inbox = false;
    this.inboxStrings = {};
    this.pending = 0;
  }

  /** The channel to show. */
  declare channel: string;

  /** Most items kept; older ones are dropped. Up to 10,000 stays smooth. */
  declare limit: number;

  /** Renders one item's content instead of type, text and time; must return a Lit template (text stays text). */
  declare renderItem: ((event: CometEvent, context: FeedItemContext) => TemplateResult) | undefined;

  /**
   * Show the server's inbox (`client.inbox()`) instead of a channel: the
   * user's notifications with their state, Unread / All / Archived views,
   * and endless scroll into older items. `channel` is not needed.
   */
  declare inbox: boolean;

  /** With `inbox`: replacement strings of the inbox view (i18n). */
  declare inboxStrings: Partial<InboxViewStrings>;

  /** New events waiting behind the pill because the reader has scrolled; reflected as `pending`. */
  declare pending: number;

  /** The item that takes keyboard focus (roving tabindex); changing it re-renders. */
  #activeIndex = 0;
  get #active(): number {
    return this.#activeIndex;
  }
  set #active(index: number) {
    if (index === this.#activeIndex) return;
    this.#activeIndex = index;
    this.requestUpdate();
  }

  /** @internal */
  get list(): (HTMLElement & VirtualizerHostElement) | null {
    return this.renderRoot?.querySelector<HTMLElement & VirtualizerHostElement>('[part="list"]') ?? null;
  }

  readonly #events = new ChannelEvents(this, {
    channel: () => this.channel,
    limit: () => this.limit,
    onLive: (event) => emit(this, 'comet-feed-item', { event }),
    onAdded: (count) => {
      if (this.#reading()) {
        // Held back: the items shown, and so their indices, stay as they are.
        this.pending = Math.min(this.pending + count, this.#events.items.length);
      } else if (this.#active > 0) {
        // Shown above: the item to tab back into stays the same item.
        this.#active += count;
      }
    },
  });
  readonly #clock = new RelativeTimeController(this);
  readonly #inbox = new LazyInboxView(this, {
    enabled: () => this.inbox,
    pageSize: () => Math.min(100, Math.max(1, this.limit)),
    strings: () => this.inboxStrings,
  });

  /** Every event held, newest first, including those waiting behind the pill. */
  get items(): readonly CometEvent[] {
    return this.#events.items;
  }

  /** Why history could not be loaded, if it could not; live events still arrive. */
  get error(): string {
    return this.#events.error;
  }

  /** Shows the events waiting behind the pill and scrolls to the newest. */
  reveal(): void {
    const count = this.pending;
    this.pending = 0;
    this.#active = 0;
    this.list?.scrollTo({ top: 0 });
    if (count > 0) emit(this, 'comet-feed-reveal', { count });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('inbox')) this.#inbox.sync();
    if (changed.has('channel')) {
      this.pending = 0;
      this.#active = 0;
      this.#events.sync();
    }
    if (changed.has('limit')) this.#events.trim();
    const shown = this.#events.items.length - this.pending;
    if (this.pending > this.#events.items.length) this.pending = this.#events.items.length;
    if (this.#active >= shown) this.#active = Math.max(0, shown - 1);
  }

  /** Scrolled away from the newest, or moving through items with the keyboard: new events must not shift what is read. */
  #reading(): boolean {
    const active = this.shadowRoot?.activeElement;
    return this.#scrolled() || (active instanceof HTMLElement && active.matches('[part~="item"]'));
  }

  #scrolled(): boolean {
    return (this.list?.scrollTop ?? 0) > TOP_SLACK_PX;
  }

  #onScroll(): void {
    if (this.pending > 0 && !this.#scrolled()) this.reveal();
  }

  #onKeyDown(event: KeyboardEvent): void {
    const shown = this.#events.items.length - this.pending;
    if (shown === 0) return;
    const page = Math.max(1, Math.floor((this.list?.clientHeight ?? 300) / 56));
    const targets: Record<string, number> = {
      ArrowDown: this.#active + 1,
      ArrowUp: this.#active - 1,
      PageDown: this.#active + page,
      PageUp: this.#active - page,
      Home: 0,
      End: shown - 1,
    };
    if (!(event.key in targets)) return;
    event.preventDefault();
    void this.focusItem(Math.max(0, Math.min(shown - 1, targets[event.key]!)));
  }

  /** Moves keyboard focus to the item at `index` (0 is the newest shown), scrolling it into view. */
  async focusItem(index: number): Promise<void> {
    this.#active = index;
    const list = this.list;
    const virtual = virtualizer && list?.[virtualizer.virtualizerRef];
    virtual?.element(index)?.scrollIntoView({ block: 'nearest' });
    await this.updateComplete;
    // layoutComplete settles only when a layout is pending; a frame covers the case where none is.
    if (virtual) await Promise.race([virtual.layoutComplete, new Promise((resolve) => requestAnimationFrame(resolve))]);
    // A virtual list has scrolled its item into view already.
    list?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus({ preventScroll: !!virtual });
  }

  #renderItem(event: CometEvent, index: number, total: number, language: string): TemplateResult {
    const relative = relativeTime(event.time, this.#clock.now, language);
    return html`<article
      part="item"
      data-index=${index}
      tabindex=${index === this.#active ? 0 : -1}
      aria-posinset=${index + 1}
      aria-setsize=${total}
      @focus=${() => (this.#active = index)}
    >
      ${this.renderItem
        ? this.renderItem(event, { relativeTime: relative, index })
        : html`<span part="type">${event.type}</span>
            <span part="text">${summarize(event.data)}</span>
            <time part="time" datetime=${new Date(event.time).toISOString()} title=${new Date(event.time).toLocaleString(language)}>${relative}</time>`}
    </article>`;
  }

  #status(strings: CometFeedStrings) {
    const events = this.#events;
    if (!this.client) return html`<p part="status" role="status">${strings.notConnected}</p>`;
    if (events.status === 'error') {
      return html`<div role="alert">
        <slot name="error"><p part="status">${format(strings.error, { error: events.error })}</p></slot>
        ${events.recoverable ? html`<button part="retry" type="button" @click=${() => events.retry()}>${strings.retry}</button>` : nothing}
      </div>`;
    }
    if (events.status === 'loading' || events.status === 'idle') {
      return html`<div role="status" aria-busy="true"><slot name="loading"><p part="status">${strings.loading}</p></slot></div>`;
    }
    return html`<div role="status"><slot name="empty"><p part="status">${strings.empty}</p></slot></div>`;
  }

  protected override render() {
    const strings = mergeStrings(DEFAULT_STRINGS, this.strings);
    if (this.inbox) {
      const root = (): Element | null => this.shadowRoot?.querySelector('[part="inbox-scroll"]') ?? null;
      return html`<div part="inbox-scroll" class="inbox-scroll">
        ${this.#inbox.render({ language: languageOf(this), now: this.#clock.now, root })}
      </div>`;
    }
    const items = this.#events.items;
    if (items.length === 0) return this.#status(strings);
    const shown = this.pending > 0 ? items.slice(this.pending) : (items as CometEvent[]);
    const language = languageOf(this);
    const busy = this.#events.status === 'loading' ? 'true' : 'false';
    // The live region is always there, so screen readers hear the pill appear and its count change.
    const pill = html`<div aria-live="polite">${this.pending > 0
      ? html`<button part="new-pill" type="button" @click=${() => this.reveal()}>${format(strings.newItems, { count: this.pending })}</button>`
      : nothing}</div>`;
    // A short list is plain DOM and as tall as its items; a long one is
    // virtualized, which needs a fixed height. Both are the same height by
    // the time the switch happens, so nothing jumps. Separate elements, so
    // the virtualizer's own nodes never outlive it.
    if (shown.length <= PLAIN_MAX_ITEMS || !virtualizer) {
      // Until the virtualizer has loaded, a long list shows its newest items as plain DOM.
      if (shown.length > PLAIN_MAX_ITEMS) void loadVirtualizer().then(() => this.requestUpdate(), () => {});
      const plain = shown.length > PLAIN_MAX_ITEMS ? shown.slice(0, PLAIN_MAX_ITEMS) : shown;
      return html`${pill}<div part="list" role="feed" aria-label=${strings.label} aria-busy=${busy} @keydown=${this.#onKeyDown} @scroll=${this.#onScroll}>
          ${keyedList(plain, (event) => event.id, (event, index) => this.#renderItem(event, index, shown.length, language))}
        </div>`;
    }
    return html`${pill}<div part="list" class="virtual" role="feed" aria-label=${strings.label} aria-busy=${busy} @keydown=${this.#onKeyDown} @scroll=${this.#onScroll}>
        ${virtualizer.virtualize({
          items: shown,
          scroller: true,
          keyFunction: (event: CometEvent) => event.id,
          renderItem: (event: CometEvent, index: number) => this.#renderItem(event, index, shown.length, language),
        })}
      </div>`;
  }
}
