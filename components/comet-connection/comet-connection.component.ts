import { ContextProvider } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { CometClient, type ClientOptions } from '../../src/client/client.js';
import { clientContext } from '../shared/client-context.js';

/**
 * Provides one cometkit client to every element inside it.
 *
 * @tagname comet-connection
 * @summary Connects the elements inside it to a push server.
 * @slot - Elements that use the connection (`<comet-feed>`, …).
 * @event comet-connection-change - The client was replaced (new `url` or `token`); `detail.client` is the new one.
 */
export class CometConnection extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  @property() accessor url = '';

  /** A token for private channels. */
  @property() accessor token = '';

  /** Who this page is for presence when the server accepts it without a token (a demo); a token's user wins. */
  @property() accessor user = '';

  /** Display name for presence with `user`. */
  @property({ attribute: 'user-name' }) accessor userName = '';

  /** Send cookies to a push server on another origin. */
  @property({ type: Boolean, attribute: 'with-credentials' }) accessor withCredentials = false;

  readonly #provider = new ContextProvider(this, { context: clientContext });
  #client: CometClient | undefined;

  /** The client this element provides, once it has a `url`. */
  get client(): CometClient | undefined {
    return this.#client;
  }

  /**
   * Set a client made elsewhere (e.g. with custom options) instead of one from `url`.
   * Its lifetime stays with its creator.
   */
  set client(client: CometClient | undefined) {
    this.#replace(client, false);
  }

  #owned = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('url') || changed.has('token') || changed.has('withCredentials') || changed.has('user') || changed.has('userName')) {
      if (this.#client && !this.#owned) return;
      const client = this.url ? new CometClient(this.#options()) : undefined;
      this.#replace(client, true);
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-inserted after a removal: the closed client is replaced by a fresh one.
    if (this.#owned && this.#client?.state === 'closed' && this.url) {
      this.#replace(new CometClient(this.#options()), true);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#owned) this.#client?.close();
  }

  #options(): ClientOptions {
    return {
      url: this.url,
      token: this.token || undefined,
      withCredentials: this.withCredentials,
      identity: this.user ? { user: this.user, name: this.userName || undefined } : undefined,
    };
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  #replace(client: CometClient | undefined, owned: boolean): void {
    if (this.#owned && this.#client !== client) this.#client?.close();
    this.#client = client;
    this.#owned = owned;
    this.#provider.setValue(client);
    this.dispatchEvent(new CustomEvent('comet-connection-change', { detail: { client }, bubbles: true, composed: true }));
  }
}
