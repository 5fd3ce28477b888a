import { defineElement } from '../shared/define.js';
import { CometPresenceBadge, type CometPresenceBadgeChangeDetail } from './comet-presence-badge.component.js';

export { CometPresenceBadge };
export type { CometPresenceBadgeStrings, CometPresenceBadgeChangeDetail } from './comet-presence-badge.component.js';
defineElement('comet-presence-badge', CometPresenceBadge);

declare global {
  interface HTMLElementTagNameMap {
    'comet-presence-badge': CometPresenceBadge;
  }
  interface HTMLElementEventMap {
    'comet-presence-badge-change': CustomEvent<CometPresenceBadgeChangeDetail>;
  }
}
