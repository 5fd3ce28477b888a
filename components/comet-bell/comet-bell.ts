import { defineElement } from '../shared/define.js';
import { CometBell } from './comet-bell.component.js';

export { CometBell };
export type { CometBellStrings } from './comet-bell.component.js';
defineElement('comet-bell', CometBell);

declare global {
  interface HTMLElementTagNameMap {
    'comet-bell': CometBell;
  }
  interface HTMLElementEventMap {
    'comet-notification': CustomEvent<{ event: import('../../src/protocol/messages.js').CometEvent }>;
    'comet-bell-read': CustomEvent<{ ids: readonly string[]; all: boolean }>;
    'comet-bell-toggle': CustomEvent<{ open: boolean }>;
  }
}
