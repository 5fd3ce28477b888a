import { defineElement } from '../shared/define.js';
import { CometFeed } from './comet-feed.component.js';

export { CometFeed };
defineElement('comet-feed', CometFeed);

declare global {
  interface HTMLElementTagNameMap {
    'comet-feed': CometFeed;
  }
  interface HTMLElementEventMap {
    'comet-feed-item': CustomEvent<{ event: import('../../src/protocol/messages.js').CometEvent }>;
  }
}
