import { DEV, warn } from '../dev.js';
import { CometClient, type ClientOptions } from './client.js';

/**
 * The page's default client, used by every element outside a
 * `<comet-connection>`: the one `configure()` set, else the first client the
 * page made with `createClient()` (or the next one, once that one is
 * closed). One app, one client,
 * no ceremony; `configure()` is for the page that makes several.
 */
let configured: CometClient | undefined;
let first: CometClient | undefined;
/** Open clients made with `createClient()`: more than one and no `configure()` is ambiguous for elements. */
const created = new Set<CometClient>();
const waiting = new Set<(client: CometClient) => void>();

const notify = (client: CometClient): void => {
  for (const callback of waiting) callback(client);
};

/**
 * Sets the client that elements outside any `<comet-connection>` use, in
 * place of the first one `createClient()` made; the script-tag build calls
 * it from its `data-url` attribute.
 */
export function configure(options: ClientOptions | CometClient): CometClient {
  if (configured && configured !== options) {
    warn('configure-replaced', 'configure() replaced the default client: the previous one is closed, and elements move to the new one. Configure once (a script tag with data-url already does).');
  }
  if (configured !== options) configured?.close();
  configured = options instanceof CometClient ? options : new CometClient(options);
  notify(configured);
  return configured;
}

/** A client for `options`; the first one a page makes is its elements' default, unless `configure()` names another. */
export function createClient(options: ClientOptions): CometClient {
  const client = new CometClient(options);
  if (DEV) {
    created.add(client);
    client.addEventListener('statechange', (event) => {
      if (event.state === 'closed') created.delete(client);
    });
  }
  // A closed first client stays the default (its elements show why it closed) until another is made: a component
  // that closes its client on unmount and makes a new one on mount (React's StrictMode does both at once) hands over.
  if (!first || first.state === 'closed') {
    first = client;
    if (!configured) notify(client);
  }
  return client;
}

export function getDefaultClient(): CometClient | undefined {
  return configured ?? first;
}

/**
 * True when elements take the default from `createClient()` while two or
 * more clients made that way are open: which one they should use is a
 * guess. Development build only.
 */
export const defaultIsAmbiguous = (): boolean => DEV && !configured && created.size > 1;

/** Calls `callback` with the default client now and whenever another takes its place; returns a function that stops waiting. */
export function onDefaultClient(callback: (client: CometClient) => void): () => void {
  const client = getDefaultClient();
  if (client) callback(client);
  waiting.add(callback);
  return () => waiting.delete(callback);
}
