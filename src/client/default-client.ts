import { warn } from '../dev.js';
import { CometClient, type ClientOptions } from './client.js';

let defaultClient: CometClient | undefined;
const waiting = new Set<(client: CometClient) => void>();

/**
 * Sets the client that elements outside any `<comet-connection>` use; the
 * script-tag build calls it from its `data-url` attribute.
 */
export function configure(options: ClientOptions | CometClient): CometClient {
  if (defaultClient && defaultClient !== options) {
    warn('configure-replaced', 'configure() replaced the default client: the previous one is closed, and elements move to the new one. Configure once (a script tag with data-url already does).');
  }
  defaultClient?.close();
  defaultClient = options instanceof CometClient ? options : new CometClient(options);
  for (const notify of waiting) notify(defaultClient);
  return defaultClient;
}

export function getDefaultClient(): CometClient | undefined {
  return defaultClient;
}

/** Calls `callback` with the default client now or when one is configured; returns a function that stops waiting. */
export function onDefaultClient(callback: (client: CometClient) => void): () => void {
  if (defaultClient) callback(defaultClient);
  waiting.add(callback);
  return () => waiting.delete(callback);
}
