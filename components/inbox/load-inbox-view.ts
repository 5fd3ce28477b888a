import { html, type TemplateResult } from 'lit';
import type { InboxCounts, InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { ClientHost } from '../shared/comet-element.js';
import type { InboxController } from './inbox-controller.js';
import type { InboxViewStrings, renderInboxView } from './inbox-view.js';

interface Loaded {
  readonly controller: InboxController;
  readonly render: typeof renderInboxView;
}

/**
 * The server inbox view of an element, whose code loads the first time the
 * element is asked to show it (`inbox`): a page that never uses the inbox
 * never downloads it.
 */
export class LazyInboxView {
  readonly #host: ClientHost;
  readonly #options: { enabled: () => boolean; pageSize: () => number; strings: () => Partial<InboxViewStrings> };
  #loaded: Loaded | undefined;
  #loading = false;

  constructor(host: ClientHost, options: { enabled: () => boolean; pageSize: () => number; strings: () => Partial<InboxViewStrings> }) {
    this.#host = host;
    this.#options = options;
  }

  /** Counts from the server, once the inbox is followed. */
  get counts(): InboxCounts | undefined {
    return this.#loaded?.controller.counts;
  }

  /** Follows the inbox when the element asks for it, loading its code the first time. */
  sync(): void {
    if (this.#loaded) {
      this.#loaded.controller.sync();
      return;
    }
    if (!this.#options.enabled() || this.#loading) return;
    this.#loading = true;
    void Promise.all([import('./inbox-view.js'), import('./inbox-view.styles.js')]).then(([module, { inboxViewStyles }]) => {
      // Styles come with the code: added to the element's own sheets, after its static ones.
      const root = this.#host.shadowRoot;
      const sheet = inboxViewStyles.styleSheet;
      if (root && sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      // The controller attaches itself to the element and syncs at once when it is connected.
      this.#loaded = { controller: new module.InboxController(this.#host, this.#options), render: module.renderInboxView };
      this.#host.requestUpdate();
    });
  }

  render(context: { language: string; now: number; root: () => Element | null; onOpen?: (item: InboxItem) => void }): TemplateResult {
    const loaded = this.#loaded;
    if (!loaded) return html`<p part="empty" role="status">${this.#options.strings().loading ?? 'Loading…'}</p>`;
    return loaded.render(loaded.controller, this.#options.strings(), context);
  }
}
