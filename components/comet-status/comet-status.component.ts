import { html, nothing } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import type { CometClient } from '../../src/client/client.js';
import type { CometErrorEvent, CometStateEvent } from '../../src/client/events.js';
import type { CometError } from '../../src/errors/comet-error.js';
import type { TransportName } from '../../src/protocol/transport-name.js';
import type { ConnectionState } from '../../src/upstream/upstream.js';
import { emit } from '../shared/events.js';
import { mergeStrings } from '../shared/strings.js';
import { statusStyles } from './comet-status.styles.js';

export interface CometStatusStrings {
  none: string;
  idle: string;
  connecting: string;
  open: string;
  reconnecting: string;
  closed: string;
  /** Prefix of the transport, e.g. "via sse". */
  via: string;
  retry: string;
  /** Why, in words, beside the state: the page's origin is refused by the push server. */
  originNotAllowed: string;
  /** Why: nothing at the client's `url` answers as a push server. */
  notFound: string;
  /** Why: no answer from the push server (down, or a wrong `url`). */
  unreachable: string;
  /** Why: any other refusal that stopped the connection (`closed` with an error); `verbose` shows the message. */
  refused: string;
}

/** The reasons with words of their own, by error code. */
const REASONS: Record<string, keyof CometStatusStrings> = {
  'origin-not-allowed': 'originNotAllowed',
  'not-found': 'notFound',
  unreachable: 'unreachable',
};

const DEFAULT_STRINGS: CometStatusStrings = {
  none: 'Not configured',
  idle: 'Idle',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
  via: 'via',
  retry: 'Retry now',
  originNotAllowed: 'This site is not allowed by the push server',
  notFound: 'No push server at this address',
  unreachable: 'The push server cannot be reached',
  refused: 'Refused by the push server',
};

export type CometStatusChangeDetail = { state: ConnectionState | 'none'; previous: ConnectionState | 'none'; transport: TransportName | undefined };

/**
 * The connection's state and transport, for users ("Live", "Reconnecting…")
 * and for debugging. When an error says why the connection is not live, the
 * reason is shown in words beside the state (`reason` part: the origin is
 * not allowed, no push server at this address, the server cannot be
 * reached, or refused), and with `verbose` the error's own message, which
 * names the URL, the origin or the setting to change. Retry is offered only
 * while reconnecting, never for a connection closed by an error retrying
 * cannot fix.
 *
 * @tagname comet-status
 * @summary Connection state and transport.
 * @csspart base - The wrapper.
 * @csspart indicator - The coloured dot.
 * @csspart label - The state in words.
 * @csspart reason - Why the connection is not live, in words, when an error says why (with `verbose`, also the error's message).
 * @csspart transport - The transport name (`sse`, `iframe`, `long-poll`).
 * @csspart retry - The button shown while reconnecting, to retry at once.
 * @csspart details - With `verbose`: where the connection lives and the last transport decision.
 * @cssproperty --comet-status-open - Dot colour when live.
 * @cssproperty --comet-status-connecting - Dot colour while connecting or reconnecting.
 * @cssproperty --comet-status-closed - Dot colour when closed.
 * @cssproperty --comet-status-color - Dot colour otherwise.
 * @cssproperty --comet-muted - Colour of the transport name.
 * @event comet-status-change - The state changed; `detail` has `state`, `previous` and `transport`.
 */
export class CometStatus extends CometElement<CometStatusStrings> {
  static override styles = statusStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    state: { reflect: true },
    compact: { type: Boolean, reflect: true },
    verbose: { type: Boolean },
    hideTransport: { type: Boolean, attribute: 'hide-transport' },
    // `attribute: false` is what `state` implies; said for the manifest, whose analyzer reads an attribute otherwise.
    transport: { state: true, attribute: false },
  };

  constructor() {
    super();
    this.watchClient((client) => this.#watch(client));
    this.state = 'none';
    this.compact = false;
    this.verbose = false;
    this.hideTransport = false;
  }

  /** The connection state, reflected for styling; set by the element. */
  declare state: ConnectionState | 'none';

  /** Only the dot is visible; the words stay for assistive technology. */
  declare compact: boolean;

  /** Also show where the connection lives (SharedWorker, leader tab, this tab) and why the transport was chosen: for debugging. */
  declare verbose: boolean;

  /** Hide the transport name. */
  declare hideTransport: boolean;

  /** The transport carrying the stream (`sse`, `iframe`, `long-poll`), or undefined before one opens; read-only, set by the element. */
  declare transport: TransportName | undefined;

  #client: CometClient | undefined;
  /** The last error since the connection was last live: what the reason shows. */
  #error: CometError | undefined;
  readonly #onState = (event: Event): void => {
    const change = event as CometStateEvent;
    if (change.state === 'open') this.#error = undefined;
    else if (change.error) this.#error = change.error;
    this.#sync(change.previous);
  };
  readonly #onError = (event: Event): void => {
    this.#error = (event as CometErrorEvent).error;
    this.requestUpdate();
  };
  // The ladder may switch transports on a healthy connection, with no state change; and with
  // `verbose`, every decision (a failed probe keeps the transport) changes the details shown.
  readonly #onTransport = (): void => {
    this.#sync(this.state);
    if (this.verbose) this.requestUpdate();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#watch(this.client);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#watch(undefined);
  }

  #watch(client: CometClient | undefined): void {
    if (!this.isConnected) client = undefined;
    if (client === this.#client) return;
    this.#client?.removeEventListener('statechange', this.#onState);
    this.#client?.removeEventListener('transportdecision', this.#onTransport);
    this.#client?.removeEventListener('error', this.#onError);
    this.#client = client;
    this.#error = undefined;
    client?.addEventListener('statechange', this.#onState);
    client?.addEventListener('transportdecision', this.#onTransport);
    client?.addEventListener('error', this.#onError);
    this.#sync(this.state);
  }

  #sync(previous: ConnectionState | 'none'): void {
    const next = this.#client?.state ?? 'none';
    this.transport = this.#client?.transport;
    if (next === this.state) return;
    this.state = next;
    emit<CometStatusChangeDetail>(this, 'comet-status-change', { state: next, previous, transport: this.transport });
  }

  #details(): string {
    const client = this.#client!;
    const last = client.decisions.at(-1);
    return [`${client.host}: ${client.hostReason}`, last ? `${last.reason}: ${last.detail}` : ''].filter(Boolean).join(' · ');
  }

  protected override render() {
    const strings = mergeStrings(DEFAULT_STRINGS, this.strings);
    const showTransport = !this.hideTransport && this.state === 'open' && this.transport;
    const error = this.state === 'open' ? undefined : this.#error;
    const reason = error && (REASONS[error.code] ?? (this.state === 'closed' ? 'refused' : undefined));
    return html`<span part="base" role="status">
      <span part="indicator"></span>
      <span part="label">${strings[this.state]}</span>
      ${reason ? html`<span part="reason">${strings[reason]}${this.verbose ? `: ${error.message}` : ''}</span>` : nothing}
      ${showTransport ? html`<span part="transport">${strings.via} ${this.transport}</span>` : nothing}
      ${this.verbose && this.#client ? html`<span part="details">${this.#details()}</span>` : nothing}
      ${this.state === 'reconnecting'
        ? html`<button part="retry" type="button" @click=${() => this.#client?.retryNow()}>${strings.retry}</button>`
        : nothing}
    </span>`;
  }
}
