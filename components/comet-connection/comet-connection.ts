import { defineElement } from '../shared/define.js';
import { CometConnection } from './comet-connection.component.js';

export { CometConnection };
defineElement('comet-connection', CometConnection);

declare global {
  interface HTMLElementTagNameMap {
    'comet-connection': CometConnection;
  }
  interface HTMLElementEventMap {
    'comet-connection-change': CustomEvent<{ client: import('../../src/client/client.js').CometClient | undefined }>;
  }
}
