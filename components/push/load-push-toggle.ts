import { nothing, type ReactiveControllerHost } from 'lit';
import type { PushToggle, PushToggleStrings } from './push-toggle.js';

/**
 * An element's Web Push switch, whose code loads the first time the element
 * looks at push (the bell when its panel opens, the preferences when they
 * offer push): a page where nobody does never downloads it.
 */
export class LazyPushToggle {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #strings: () => Partial<PushToggleStrings> | undefined;
  #loaded: PushToggle | undefined;
  #loading = false;

  constructor(host: ReactiveControllerHost & HTMLElement, strings: () => Partial<PushToggleStrings> | undefined) {
    this.#host = host;
    this.#strings = strings;
  }

  /** Looks at this browser's push state now, loading the switch's code the first time. */
  refresh(): void {
    if (this.#loaded) return this.#loaded.refresh();
    if (this.#loading) return;
    this.#loading = true;
    import('./push-toggle.js').then(
      ({ PushToggle, pushToggleStyles }) => {
        // Styles come with the code: added to the element's own sheets, after its static ones.
        const root = this.#host.shadowRoot;
        const sheet = pushToggleStyles.styleSheet;
        if (root && sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
        this.#loaded = new PushToggle(this.#host, this.#strings);
        this.#loaded.refresh();
      },
      // A failed download may succeed on the next look.
      () => (this.#loading = false),
    );
  }

  render() {
    return this.#loaded?.render() ?? nothing;
  }
}
