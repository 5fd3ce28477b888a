import { ContextProvider } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { CometClient, type ClientOptions } from '../../src/client/client.js';
import type { HostPreference } from '../../src/hosts/choose-host.js';
import { clientContext } from '../shared/client-context.js';

/** The attributes a client is made from: a change to any of them replaces the client this element owns. */
const CLIENT_PROPERTIES = ['url', 'token', 'withCredentials', 'user', 'userName', 'workerUrl', 'host', 'hub'] as const;

/**
 * Provides one cometkit client to every element inside it.
 *
 * @tagname comet-connection
 * @summary Connects the elements inside it to a push server.
 * @slot - Elements that use the connection (`<comet-feed>`, …).
 * @event comet-connection-change - The client was replaced (a changed `url`, `token`, `host`…); `detail.client` is the new one.
 */
export class CometConnection extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    url: {},
    token: {},
    user: {},
    userName: { attribute: 'user-name' },
    withCredentials: { type: Boolean, attribute: 'with-credentials' },
    workerUrl: { attribute: 'worker-url' },
    host: {},
    hub: {},
  };

  constructor() {
    super();
    this.url = '';
    this.token = '';
    this.user = '';
    this.userName = '';
    this.withCredentials = false;
    this.workerUrl = '';
    this.host = 'auto';
    this.hub = '';
  }

  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  declare url: string;

  /** A token for private channels. */
  declare token: string;

  /** Who this page is for presence when the server accepts it without a token (a demo); a token's user wins. */
  declare user: string;

  /** Display name for presence with `user`. */
  declare userName: string;

  /** Send cookies to a push server on another origin. */
  declare withCredentials: boolean;

  /**
   * URL of cometkit's worker file on the page's own origin: with it, one
   * SharedWorker holds the connection for every tab (the client's `workerUrl`).
   */
  declare workerUrl: string;

  /** Where the shared connection lives: `auto` (default), `shared-worker`, `leader-tab` or `single-tab`. */
  declare host: HostPreference;

  /** Connections with the same `url` and `hub` share one upstream connection. Default `default`. */
  declare hub: string;

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
    if (CLIENT_PROPERTIES.some((name) => changed.has(name))) {
      if (this.#client && !this.#owned) return;
      this.#replace(this.#create(), true);
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-inserted after a removal: the closed client is replaced by a fresh one.
    if (this.#owned && this.#client?.state === 'closed' && this.url) {
      this.#replace(this.#create(), true);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#owned) this.#client?.close();
  }

  /** A client from the attributes; none without a `url`, or when they are invalid (reported, not thrown into Lit's update). */
  #create(): CometClient | undefined {
    if (!this.url) return undefined;
    const options: ClientOptions = {
      url: this.url,
      token: this.token || undefined,
      withCredentials: this.withCredentials,
      identity: this.user ? { user: this.user, name: this.userName || undefined } : undefined,
      ...(this.workerUrl ? { workerUrl: new URL(this.workerUrl, location.href).href } : {}),
      host: this.host || 'auto',
      ...(this.hub ? { hub: this.hub } : {}),
    };
    try {
      return new CometClient(options);
    } catch (error) {
      reportError(error);
      return undefined;
    }
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
