/**
 * Types for cometkit's elements in Vue 3 templates (checked by vue-tsc and
 * editors). Load them once in an app: `import type {} from 'cometkit/vue';`
 *
 * Vue must also be told these tags are custom elements, not components:
 * `compilerOptions.isCustomElement: (tag) => tag.startsWith('comet-')`
 * (in the Vue plugin's options for single-file components, or
 * `app.config.compilerOptions` with the runtime compiler). Vue sets a bound
 * value as a property when the element has a property of the name bound
 * (`:limit`, `:strings`, `:hideTransport`), else as an attribute: bind a
 * boolean by its property name, since `:hide-transport="false"` sets the
 * attribute to "false", which reads as true. The types take either name.
 */
import type { DefineComponent } from 'vue';
import type { CometBell, CometConnection, CometFeed, CometPreferences, CometPresence, CometPresenceBadge, CometStatus, CometToasts } from './index.js';
import type { CometElement } from './shared/comet-element.js';

/** What the base element gives an element for its own controllers, never a prop (`<comet-connection>`'s `client` is one: it is no such element). */
type InternalMembers<E> = E extends CometElement<object> ? 'client' | 'watchClient' : never;

/** An element's own public properties, all optional, as a Vue component's props. */
export type CometElementComponent<E extends HTMLElement> = DefineComponent<Partial<Omit<E, keyof HTMLElement | 'render' | 'connectedCallback' | 'disconnectedCallback' | InternalMembers<E>>>>;

declare module 'vue' {
  interface GlobalComponents {
    'comet-connection': CometElementComponent<CometConnection>;
    'comet-feed': CometElementComponent<CometFeed>;
    'comet-toasts': CometElementComponent<CometToasts>;
    'comet-presence': CometElementComponent<CometPresence>;
    'comet-presence-badge': CometElementComponent<CometPresenceBadge>;
    'comet-bell': CometElementComponent<CometBell>;
    'comet-status': CometElementComponent<CometStatus>;
    'comet-preferences': CometElementComponent<CometPreferences>;
  }
}
