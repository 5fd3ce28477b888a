// Importing this module defines every cometkit element.
export { CometConnection } from './comet-connection/comet-connection.js';
export { CometFeed } from './comet-feed/comet-feed.js';
