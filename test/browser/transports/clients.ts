/**
 * Clients for the transport tests: each in its own hub (a key no other test
 * uses) held by this page, so a test sees its own connection only, with
 * quick retries so runs through a cutting proxy stay short.
 */
import type { ClientOptions, CometClient } from '../../../src/client/client.js';
import { createClient } from '../../../src/client/default-client.js';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { waitFor } from '../../support/env.js';

export interface TestClient {
  readonly client: CometClient;
  /** Events received per channel, in order. */
  readonly received: Map<string, CometEvent[]>;
  close(): void;
}

export function openClient(options: ClientOptions & { hub: string }, channels: readonly string[]): TestClient {
  const client = createClient({
    host: 'single-tab',
    reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  const received = new Map<string, CometEvent[]>();
  for (const channel of channels) {
    received.set(channel, []);
    client.subscribe(channel, (event) => received.get(channel)!.push(event));
  }
  return { client, received, close: () => client.close() };
}

export const total = (received: Map<string, CometEvent[]>): number => [...received.values()].reduce((sum, list) => sum + list.length, 0);

export async function waitOpen(client: CometClient, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => client.state === 'open', timeoutMs, `the client to open (now ${client.state} on ${client.transport ?? 'no transport'})`);
}

/** Forgets remembered downgrades, so each test starts from the configured order. */
export function forgetTransportMemory(): void {
  for (const key of Object.keys(localStorage)) if (key.startsWith('cometkit:transport:')) localStorage.removeItem(key);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
