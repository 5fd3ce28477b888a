import { defineElement } from '../shared/define.js';
import { CometPreferences, type CometPreferencesStrings, type PreferenceCategory } from './comet-preferences.component.js';

export { CometPreferences };
export type { CometPreferencesStrings, PreferenceCategory };
defineElement('comet-preferences', CometPreferences);

declare global {
  interface HTMLElementTagNameMap {
    'comet-preferences': CometPreferences;
  }
  interface HTMLElementEventMap {
    'comet-preferences-change': CustomEvent<{ preferences: import('../../src/protocol/inbox-protocol.js').InboxPreferences; critical: readonly string[] }>;
  }
}
