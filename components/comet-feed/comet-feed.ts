import { defineElement } from '../shared/define.js';
import { CometFeed } from './comet-feed.component.js';

export { CometFeed };
export type { CometFeedStrings, FeedItemContext } from './comet-feed.component.js';
defineElement('comet-feed', CometFeed);

declare global {
  interface HTMLElementTagNameMap {
    'comet-feed': CometFeed;
  }
  interface HTMLElementEventMap {
    'comet-feed-item': CustomEvent<{ event: import('../../src/protocol/messages.js').CometEvent }>;
    'comet-feed-reveal': CustomEvent<{ count: number }>;
  }
}
