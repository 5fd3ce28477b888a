import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HelloFrame } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import { eventJson } from '../broker/event-json.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import { holdStream } from '../stream/held-stream.js';
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
  const { heartbeatMs } = deps.options;
  await holdStream(
    req,
    res,
    request,
    'sse',
    {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        // Asks nginx-style proxies not to buffer; others are caught by the client's liveness checks.
        'X-Accel-Buffering': 'no',
      },
      sink: (stream) => ({
        start(cursor) {
          const hello: HelloFrame = { v: PROTOCOL_VERSION, time: Date.now(), heartbeat: heartbeatMs, cursor, transport: 'sse' };
          stream.write(`retry: 1000\n${frame({ event: 'hello', id: cursor, data: hello })}`);
        },
        gap(gap) {
          stream.write(frame({ event: 'gap', data: gap }));
        },
        event(event, cursor) {
          stream.write(`id: ${cursor}\ndata: ${eventJson(event)}\n\n`);
        },
      }),
      heartbeat: (time) => frame({ event: 'heartbeat', data: { time } }),
    },
    deps,
  );
}
