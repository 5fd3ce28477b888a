import { defineElement } from '../shared/define.js';
import { CometPresence, type CometPresenceChangeDetail } from './comet-presence.component.js';

export { CometPresence };
export type { CometPresenceStrings, CometPresenceChangeDetail } from './comet-presence.component.js';
defineElement('comet-presence', CometPresence);

declare global {
  interface HTMLElementTagNameMap {
    'comet-presence': CometPresence;
  }
  interface HTMLElementEventMap {
    'comet-presence-change': CustomEvent<CometPresenceChangeDetail>;
  }
}
