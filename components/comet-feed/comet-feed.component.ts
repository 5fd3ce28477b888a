import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { CometClient, Subscription } from '../../src/client/client.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { ClientController } from '../shared/client-consumer.js';
import { summarize } from '../shared/summarize.js';
import { feedStyles } from './comet-feed.styles.js';

function newestFirst(a: CometEvent, b: CometEvent): number {
  return b.time - a.time || Number(b.id.split('-')[1]) - Number(a.id.split('-')[1]);
}

/**
 * A live list of a channel's events, newest first.
 *
 * @summary Live list of a channel's events.
 * @csspart list - The `<ol>` of events.
 * @csspart item - One event.
 * @csspart type - The event's type.
 * @csspart text - The event's text.
 * @csspart time - When it was published.
 * @csspart status - Shown instead of the list while waiting, empty or failed.
 * @cssproperty --comet-surface - Item background.
 * @cssproperty --comet-muted - Secondary text colour.
 * @cssproperty --comet-radius - Item corner radius.
 * @cssproperty --comet-feed-gap - Space between items.
 * @cssproperty --comet-feed-item-padding - Padding inside an item.
 * @event comet-feed-item - An event was added; `detail.event` is the event.
 */
export class CometFeed extends LitElement {
  static override styles = feedStyles;

  /** The channel to show. */
  @property({ reflect: true }) accessor channel = '';

  /** Most items kept; older ones are dropped. */
  @property({ type: Number }) accessor limit = 50;

  /** Renders one item's content instead of type, text and time; must return a Lit template (text stays text). */
  @property({ attribute: false }) accessor renderItem: ((event: CometEvent) => TemplateResult) | undefined;

  /** Why history could not be loaded, if it could not; live events still arrive. */
  @state() accessor error = '';

  /** Events shown, newest first. */
  @state() accessor items: readonly CometEvent[] = [];

  readonly #clients = new ClientController(this, () => this.#resubscribe());
  #subscription: Subscription | undefined;
  #subscribedTo: { client: CometClient; channel: string } | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resubscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel')) this.#resubscribe();
    if (changed.has('limit') && this.items.length > this.#limit) this.items = this.items.slice(0, this.#limit);
  }

  get #limit(): number {
    return Number.isFinite(this.limit) && this.limit > 0 ? Math.floor(this.limit) : 50;
  }

  #resubscribe(): void {
    const client = this.#clients.client;
    if (!this.isConnected || !client || !this.channel) {
      this.#unsubscribe();
      return;
    }
    if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === this.channel) return;
    this.#unsubscribe();
    this.items = [];
    const channel = this.channel;
    this.#subscription = client.subscribe(channel, (event) => this.#add(event));
    this.#subscribedTo = { client, channel };
    // Live first, then history: whatever arrives in between is in one or the other, and merged once.
    client.history(channel, { limit: this.#limit }).then(
      (events) => {
        if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === channel) this.#merge(events);
      },
      (error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  #unsubscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#subscribedTo = undefined;
  }

  #merge(history: readonly CometEvent[]): void {
    const seen = new Set(this.items.map((event) => event.id));
    const older = history.filter((event) => !seen.has(event.id)).reverse();
    this.items = [...this.items, ...older].sort(newestFirst).slice(0, this.#limit);
  }

  #add(event: CometEvent): void {
    this.items = [event, ...this.items.slice(0, this.#limit - 1)];
    this.dispatchEvent(new CustomEvent('comet-feed-item', { detail: { event }, bubbles: true, composed: true }));
  }

  protected override render() {
    if (this.items.length === 0) {
      const client = this.#clients.client;
      const text = !client
        ? 'Not connected.'
        : this.error
          ? `Could not load earlier events: ${this.error}`
          : client.state === 'closed'
            ? 'Disconnected.'
            : 'No events yet.';
      return html`<p part="status" role="status">${text}</p>`;
    }
    return html`<ol part="list" aria-live="polite" aria-relevant="additions">
      ${repeat(
        this.items,
        (event) => `${event.channel}/${event.id}`,
        (event) =>
          html`<li part="item">
            ${this.renderItem
              ? this.renderItem(event)
              : html`<span part="type">${event.type}</span>
                  <span part="text">${summarize(event.data)}</span>
                  <time part="time" datetime=${new Date(event.time).toISOString()}
                    >${new Date(event.time).toLocaleTimeString()}</time
                  >`}
          </li>`,
      )}
    </ol>${nothing}`;
  }
}
