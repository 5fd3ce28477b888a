import type { ContextCallback } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CometClient } from '../../src/client/client.js';
import { defaultIsAmbiguous, onDefaultClient } from '../../src/client/default-client.js';
import { DEV, warn } from '../../src/dev.js';
import { clientContext } from './client-context.js';

/**
 * Finds the client for an element: the nearest `<comet-connection>`
 * ancestor, else the page's default client: the one `configure()` set (a
 * script tag with `data-url` does), else the first one `createClient()` made.
 */
/** One warning per page: every element outside a connection shares the same default. */
let ambiguityReported = false;

export class ClientController implements ReactiveController {
  #fromContext: CometClient | undefined;
  #fromDefault: CometClient | undefined;
  #stopWaiting: (() => void) | undefined;
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #onChange: (client: CometClient | undefined) => void;

  constructor(host: ReactiveControllerHost & HTMLElement, onChange: (client: CometClient | undefined) => void) {
    this.#host = host;
    this.#onChange = onChange;
    host.addController(this);
  }

  #unsubscribe: (() => void) | undefined;

  /**
   * The protocol's `context-request` event, dispatched by hand: @lit/context's
   * consumer and event class cost every element's page about 0.3 KB for these
   * few fields. `<comet-connection>` (@lit/context's provider) answers it.
   */
  readonly #request = (): void => {
    this.#host.dispatchEvent(
      Object.assign(new Event('context-request', { bubbles: true, composed: true }), {
        context: clientContext,
        contextTarget: this.#host,
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

  get client(): CometClient | undefined {
    return this.#fromContext ?? this.#fromDefault;
  }

  hostConnected(): void {
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
        if (!this.#host.isConnected || this.#fromContext) return;
        if (!this.client) {
          warn('no-client', `<${this.#host.localName}> has no client: createClient({ url }) once in the page, put it inside a <comet-connection url="…">, or configure() a default client (a script tag with data-url does).`);
        } else if (defaultIsAmbiguous() && !ambiguityReported) {
          ambiguityReported = true;
          warn('default-client-ambiguous', `<${this.#host.localName}> and the other elements outside a <comet-connection> use the first client createClient() made, but the page has made several: call configure(client) with the one they should use, or put them inside a <comet-connection>.`);
        }
      }, 3000);
    }
  }

  hostDisconnected(): void {
    document.removeEventListener('context-provider', this.#request);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#stopWaiting?.();
    clearTimeout(this.#noClientWarning);
  }

  #noClientWarning: ReturnType<typeof setTimeout> | undefined;

  #changed(): void {
    this.#onChange(this.client);
    this.#host.requestUpdate();
  }
}
