/**
 * Types for cometkit's elements in React 19 JSX. Load them once in an app
 * (a .d.ts or any module): `import type {} from 'cometkit/react';`
 *
 * React 19 sets a prop as a property when the element has one (`limit`,
 * `renderItem`, `strings`), else as an attribute (`worker-url`); listen to
 * the elements' events with `ref` and `addEventListener`, or `onComet…`
 * props, which React 19 passes to custom elements as event listeners.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { CometBell, CometConnection, CometFeed, CometPreferences, CometPresence, CometPresenceBadge, CometStatus, CometToasts } from './index.js';
import type { CometElement } from './shared/comet-element.js';

/** What the base element gives an element for its own controllers, never a prop (`<comet-connection>`'s `client` is one: it is no such element). */
type InternalMembers<E> = E extends CometElement<object> ? 'client' | 'watchClient' : never;

/** An element's own public properties, optional, next to React's HTML attributes and any kebab-case attribute. */
export type CometElementProps<E extends HTMLElement> = DetailedHTMLProps<HTMLAttributes<E>, E> &
  Partial<Omit<E, keyof HTMLElement | 'render' | 'connectedCallback' | 'disconnectedCallback' | InternalMembers<E>>> & { readonly [attribute: `${string}-${string}`]: unknown };

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'comet-connection': CometElementProps<CometConnection>;
      'comet-feed': CometElementProps<CometFeed>;
      'comet-toasts': CometElementProps<CometToasts>;
      'comet-presence': CometElementProps<CometPresence>;
      'comet-presence-badge': CometElementProps<CometPresenceBadge>;
      'comet-bell': CometElementProps<CometBell>;
      'comet-status': CometElementProps<CometStatus>;
      'comet-preferences': CometElementProps<CometPreferences>;
    }
  }
}
