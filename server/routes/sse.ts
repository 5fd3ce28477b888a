import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from '../stream/connections.js';
import type { Fanout } from '../stream/fanout.js';
import { holdStream } from '../stream/held-stream.js';
import { SSE_HEADERS, sseFormat } from '../stream/sse-format.js';
import type { StreamRequest } from '../stream/stream-request.js';

/** `GET {base}/sse`: a `text/event-stream` of hello, gaps, events and heartbeats. */
export async function serveSse(
  req: IncomingMessage,
  res: ServerResponse,
  request: StreamRequest,
  deps: { fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry },
): Promise<void> {
  await holdStream(req, res, request, sseFormat, { headers: SSE_HEADERS }, deps);
}
