import { LitElement, type PropertyDeclarations, type ReactiveControllerHost } from 'lit';
import type { ContextCallback } from '@lit/context';
import type { CometClient } from '../../src/client/client.js';
import { defaultIsAmbiguous, onDefaultClient } from '../../src/client/default-client.js';
import { DEV, warn } from '../../src/dev.js';
import { clientContext } from './client-context.js';

/** One warning per page: every element outside a connection shares the same default. */
let ambiguityReported = false;

/**
 * What every visible element shares, declared once: the `theme` attribute
 * (styled by `themeStyles`), replacement `strings`, and the element's client:
 * the nearest `<comet-connection>` ancestor's, else the page's default client
 * (the one `configure()` set, as a script tag with `data-url` does, else the
 * first one `createClient()` made). The element and its controllers
 * `watchClient`, so a page asks for the client once per element. Registers
 * nothing; `<comet-connection>` provides a client rather than consuming one,
 * and does not extend it.
 */
export class CometElement<Strings extends object> extends LitElement {
  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  // Lit merges these with each element's own `properties`.
  static override properties: PropertyDeclarations = {
    theme: { reflect: true },
    strings: { attribute: false },
  };

  constructor() {
    super();
    this.strings = {};
  }

  /** `light`, `dark`, `auto` (the system's setting), or unset to follow the page's `color-scheme`. */
  declare theme: 'light' | 'dark' | 'auto' | undefined;

  /** Replacement strings (i18n); a key left out keeps the default. */
  declare strings: Partial<Strings>;

  #fromContext: CometClient | undefined;
  #fromDefault: CometClient | undefined;
  #stopWaiting: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #noClientWarning: ReturnType<typeof setTimeout> | undefined;
  readonly #watchers: Array<(client: CometClient | undefined) => void> = [];

  /** @internal The client the element uses, once it has one. */
  get client(): CometClient | undefined {
    return this.#fromContext ?? this.#fromDefault;
  }

  /** @internal Calls `onChange` with the element's client as the element connects and finds one, and each time it changes, for as long as the element lives. */
  watchClient(onChange: (client: CometClient | undefined) => void): void {
    this.#watchers.push(onChange);
  }

  /**
   * The protocol's `context-request` event, dispatched by hand: @lit/context's
   * consumer and event class cost every element's page about 0.3 KB for these
   * few fields. `<comet-connection>` (@lit/context's provider) answers it.
   */
  readonly #request = (): void => {
    this.dispatchEvent(
      Object.assign(new Event('context-request', { bubbles: true, composed: true }), {
        context: clientContext,
        contextTarget: this,
        callback: this.#provided,
        subscribe: true,
      }),
    );
  };

  /**
   * [Context Community Protocol] The provider calls this at once and on every
   * change (a subscription), with the function that ends it; a call from
   * another provider (one nearer, connected since) ends the first one's.
   */
  readonly #provided: ContextCallback<CometClient | undefined> = (client, unsubscribe) => {
    if (this.#unsubscribe !== unsubscribe) this.#unsubscribe?.();
    this.#unsubscribe = unsubscribe;
    this.#fromContext = client;
    this.#changed();
  };

  override connectedCallback(): void {
    // The client first, as the element's controllers look for it when they connect.
    this.#request();
    // A `<comet-connection>` defined after this element (the script tag loads each element's module as it comes)
    // missed the request above: its provider announces itself with `context-provider`, and the nearest provider answers again.
    document.addEventListener('context-provider', this.#request);
    this.#stopWaiting = onDefaultClient((client) => {
      this.#fromDefault = client;
      this.#changed();
    });
    if (DEV) {
      // A script tag configures the default client as it loads: only an element still without one a moment later is a mistake.
      clearTimeout(this.#noClientWarning);
      this.#noClientWarning = setTimeout(() => {
        if (!this.isConnected || this.#fromContext) return;
        if (!this.client) {
          warn('no-client', `<${this.localName}> has no client: createClient({ url }) once in the page, put it inside a <comet-connection url="…">, or configure() a default client (a script tag with data-url does).`);
        } else if (defaultIsAmbiguous() && !ambiguityReported) {
          ambiguityReported = true;
          warn('default-client-ambiguous', `<${this.localName}> and the other elements outside a <comet-connection> use the first client createClient() made, but the page has made several: call configure(client) with the one they should use, or put them inside a <comet-connection>.`);
        }
      }, 3000);
    }
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('context-provider', this.#request);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#stopWaiting?.();
    if (DEV) clearTimeout(this.#noClientWarning);
  }

  #changed(): void {
    for (const onChange of this.#watchers) onChange(this.client);
    this.requestUpdate();
  }
}

/** What a controller needs of its element to follow the element's client. */
export type ClientHost = ReactiveControllerHost & HTMLElement & Pick<CometElement<object>, 'client' | 'watchClient'>;
