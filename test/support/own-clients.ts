import { createClient, type CometClient } from '../../src/index.js';
import { getTestServer, type TokenRequest } from './env.js';

export interface OwnClients {
  /**
   * A client with a connection of its own (`host: 'single-tab'`, its own hub), as another device or
   * another person has: it shares nothing with the others, so what reaches it came through the server.
   */
  open(token: TokenRequest, hub: string): Promise<CometClient>;
  /** Closes `client` after the test, with the others. */
  keep(client: CometClient): CometClient;
}

/** Clients a test file makes for itself, each closed after its test. Call once, at the top of the file. */
export function ownClients(): OwnClients {
  const made: CometClient[] = [];
  afterEach(() => {
    for (const client of made.splice(0)) client.close();
  });
  const keep = (client: CometClient): CometClient => {
    made.push(client);
    return client;
  };
  return {
    keep,
    async open(request, hub) {
      const server = getTestServer();
      return keep(createClient({ url: server.comet, token: await server.token(request), host: 'single-tab', hub }));
    },
  };
}
