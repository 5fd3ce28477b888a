import { defineElement } from '../shared/define.js';
import { CometStatus, type CometStatusChangeDetail } from './comet-status.component.js';

export { CometStatus };
export type { CometStatusStrings, CometStatusChangeDetail } from './comet-status.component.js';
defineElement('comet-status', CometStatus);

declare global {
  interface HTMLElementTagNameMap {
    'comet-status': CometStatus;
  }
  interface HTMLElementEventMap {
    'comet-status-change': CustomEvent<CometStatusChangeDetail>;
  }
}
