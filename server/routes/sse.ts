import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from '../broker/broker.js';
import type { ResolvedGripOptions } from '../grip/grip-options.js';
import { isGripRequest } from '../grip/grip-signature.js';
import { answerGripStream, type GripExpiry } from '../grip/grip-stream.js';
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
  url: URL,
  request: StreamRequest,
  deps: { broker: Broker; fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry; grip: ResolvedGripOptions | undefined; gripExpiry: GripExpiry | undefined },
): Promise<void> {
  const { grip } = deps;
  if (grip && isGripRequest(req, grip.signingKey)) {
    await answerGripStream(req, res, url, request, sseFormat, { headers: SSE_HEADERS }, { ...deps, grip });
    return;
  }
  await holdStream(req, res, request, sseFormat, { headers: SSE_HEADERS }, deps);
}
