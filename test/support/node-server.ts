/**
 * Starts the reference server on an ephemeral loopback port for one test
 * file. Every test file gets its own servers, so files run in parallel
 * without sharing channels, history or connection counts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCometServer, type CometServer } from '../../server/comet-server.js';
import type { CometServerOptions } from '../../server/options.js';
import { answerClientError } from '../../server/http/client-error.js';

export interface TestServer {
  readonly comet: CometServer;
  readonly http: Server;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** origin + basePath */
  readonly base: string;
  /** The SSE URL for these channels, with optional extra query parameters (cursor, token). */
  sseUrl(channels: readonly string[], params?: Record<string, string>): string;
  close(): Promise<void>;
}

type Handler = (comet: CometServer) => (req: IncomingMessage, res: ServerResponse) => void;

/** `handler` lets a test mount the server its own way (Express-style, behind a prefix); `port` 0 picks a free one. */
export async function startServer(options: CometServerOptions = {}, handler?: Handler, port = 0): Promise<TestServer> {
  const comet = createCometServer(options);
  const server = createServer(handler ? handler(comet) : (req, res) => comet(req, res));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = origin + comet.options.basePath;
  return {
    comet,
    http: server,
    origin,
    base,
    sseUrl(channels, params = {}) {
      const query = new URLSearchParams();
      for (const channel of channels) query.append('ch', channel);
      for (const [key, value] of Object.entries(params)) query.append(key, value);
      return `${base}/sse?${query}`;
    },
    async close() {
      await comet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let counter = 0;
/** A channel name no other test in this process uses. */
export function uniqueChannel(prefix = 'test'): string {
  counter += 1;
  return `${prefix}.${randomBytes(3).toString('hex')}.${counter}`;
}

/** Polls `condition` (on the event loop, not a fixed sleep) until it holds or `timeoutMs` passes. */
export async function until(condition: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}
