import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CometClient } from '../../src/client/client.js';
import { onDefaultClient } from '../../src/client/default-client.js';
import { DEV, warn } from '../../src/dev.js';
import { clientContext } from './client-context.js';

/**
 * Finds the client for an element: the nearest `<comet-connection>`
 * ancestor, else the default client (configured by the script tag or by
 * `configure()`), whichever is known first and most specific.
 */
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
    new ContextConsumer(host, {
      context: clientContext,
      subscribe: true,
      callback: (client) => {
        this.#fromContext = client;
        this.#changed();
      },
    });
  }

  get client(): CometClient | undefined {
    return this.#fromContext ?? this.#fromDefault;
  }

  hostConnected(): void {
    this.#stopWaiting = onDefaultClient((client) => {
      this.#fromDefault = client;
      this.#changed();
    });
    if (DEV) {
      // A script tag configures the default client as it loads: only an element still without one a moment later is a mistake.
      clearTimeout(this.#noClientWarning);
      this.#noClientWarning = setTimeout(() => {
        if (this.#host.isConnected && !this.client) {
          warn('no-client', `<${this.#host.localName}> has no client: put it inside a <comet-connection url="…">, or configure() a default client (a script tag with data-url does).`);
        }
      }, 3000);
    }
  }

  hostDisconnected(): void {
    this.#stopWaiting?.();
    clearTimeout(this.#noClientWarning);
  }

  #noClientWarning: ReturnType<typeof setTimeout> | undefined;

  #changed(): void {
    this.#onChange(this.client);
    this.#host.requestUpdate();
  }
}
