import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HelloFrame } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import { openFeed } from '../stream/feed.js';
import type { StreamRequest } from '../stream/stream-request.js';

/** One SSE frame. `data` is JSON and so never holds a raw newline. */
function frame(fields: { event?: string; id?: string; data: unknown }): string {
  let text = '';
  if (fields.event) text += `event: ${fields.event}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  return `${text}data: ${JSON.stringify(fields.data)}\n\n`;
}

/**
 * `GET {base}/sse`: a `text/event-stream` of hello, gaps, events and
 * heartbeats. Every frame that moves the cursor carries it as `id`, so a
 * plain EventSource reconnecting by itself resumes exactly.
 */
export async function serveSse(
  req: IncomingMessage,
  res: ServerResponse,
  request: StreamRequest,
  deps: { broker: Broker; options: ResolvedOptions; connections: ConnectionRegistry },
): Promise<void> {
  const { broker, options, connections } = deps;
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let feed: { close(): void } | undefined;
  let untrack = (): void => {};

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    feed?.close();
    untrack();
    res.end();
  };
  const write = (text: string): void => {
    if (closed) return;
    res.write(text);
    // A reader that stopped reading is cut rather than buffered without end; it resumes from its cursor.
    if (res.writableLength > options.maxBufferedBytes) close();
  };

  req.on('close', close);
  res.on('error', close);
  untrack = connections.add({ transport: 'sse', channels: request.channels, user: request.user?.sub, close });

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    // Asks nginx-style proxies not to buffer; others are caught by the client's liveness checks.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();

  feed = await openFeed(broker, request.channels, request.cursor, {
    start(cursor) {
      const hello: HelloFrame = { v: PROTOCOL_VERSION, time: Date.now(), heartbeat: options.heartbeatMs, cursor, transport: 'sse' };
      write(`retry: 1000\n${frame({ event: 'hello', id: cursor, data: hello })}`);
    },
    gap(gap) {
      write(frame({ event: 'gap', data: gap }));
    },
    event(event, cursor) {
      write(frame({ id: cursor, data: event }));
    },
  });
  if (closed) {
    feed.close();
    return;
  }
  heartbeat = setInterval(() => write(frame({ event: 'heartbeat', data: { time: Date.now() } })), options.heartbeatMs);
}
