import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { formatCursor, type Cursor } from '../../src/protocol/cursor.js';
import { formatPosition, parsePosition } from '../../src/protocol/position.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { ResolvedOptions } from '../options.js';
import { advance, readReplay } from '../stream/feed.js';
import type { StreamFormat } from '../stream/stream-format.js';
import type { StreamRequest } from '../stream/stream-request.js';
import { beatChannel, gripChannel, parseGripLast } from './grip-channels.js';
import type { ResolvedGripOptions } from './grip-options.js';

/** The GRIP channel that ends a held stream when its token ends (GripPublisher.expiryChannel). */
export type GripExpiry = (transport: 'sse' | 'iframe', validUntil: number) => string;

/** What an idle connection gets from the proxy itself when no beat came: nothing a reader sees, only bytes that keep intermediaries from timing out. */
const KEEP_ALIVE: Record<StreamFormat['transport'], string> = { sse: ':\\n\\n', iframe: '<!-- -->\\n' };

/**
 * Answers an SSE or iframe request that came through the GRIP proxy: the
 * hello and the replay from the reader's cursor in the body, then
 * `Grip-Hold: stream` on the transport's GRIP channels with each channel's
 * position as `prev-id`, so the proxy writes live items that follow on and
 * asks `Grip-Link` (rel=next) for anything it missed. That request carries
 * `Grip-Last`, the last position the proxy delivered per channel: it is
 * answered the same way, without a hello, since it continues the same
 * response.
 */
export async function answerGripStream(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  request: StreamRequest,
  format: StreamFormat,
  response: { readonly headers: OutgoingHttpHeaders; readonly preamble?: string },
  deps: { broker: Broker; options: ResolvedOptions; grip: ResolvedGripOptions; gripExpiry: GripExpiry | undefined },
): Promise<void> {
  const { broker, options, grip } = deps;
  const from: Cursor = new Map(request.cursor);
  const last = parseGripLast(req.headers['grip-last'], grip.channelPrefix, format.transport);
  for (const [channel, id] of last) {
    const position = parsePosition(id);
    if (position && request.channels.includes(channel)) from.set(channel, position);
  }
  const continuation = req.headers['grip-last'] !== undefined;

  const replay = await readReplay(broker, request.channels, from);
  const cursor = replay.cursor;
  let body = '';
  if (!continuation) {
    body += response.preamble ?? '';
    body += format.hello({ v: PROTOCOL_VERSION, time: Date.now(), heartbeat: options.heartbeatMs, cursor: formatCursor(cursor), transport: format.transport });
  }
  for (const gap of replay.gaps) body += format.gap(gap);
  for (const event of replay.events) if (advance(cursor, event)) body += format.event(event, formatCursor(cursor));

  if (format.rollOver && !continuation && Buffer.byteLength(body) >= format.rollOver.afterBytes) {
    // A replay that fills a bounded document ends it; the client opens the next from its cursor.
    res.writeHead(200, response.headers);
    res.end(body + format.rollOver.ending);
    return;
  }

  const channels = request.channels.map((channel) => `${gripChannel(grip.channelPrefix, format.transport, channel)}; prev-id=${formatPosition(cursor.get(channel)!)}`);
  channels.push(beatChannel(grip.channelPrefix, format.transport));
  // The proxy, not this process, holds the stream: it is told to end it when the token does.
  if (request.validUntil !== undefined && deps.gripExpiry) channels.push(deps.gripExpiry(format.transport, request.validUntil));
  res.writeHead(200, {
    ...response.headers,
    'Grip-Hold': 'stream',
    'Grip-Channel': channels.join(', '),
    'Grip-Keep-Alive': `${KEEP_ALIVE[format.transport]}; format=cstring; timeout=${Math.max(1, Math.round(options.heartbeatMs / 1000))}`,
    'Grip-Link': `<${nextLink(url, cursor)}>; rel=next`,
  });
  res.end(body);
}

/**
 * The same request from the cursor reached: the proxy's recovery requests
 * carry no client headers, so the token (if any) stays in the query, as
 * for EventSource and iframes anyway.
 */
function nextLink(url: URL, cursor: Cursor): string {
  const next = new URL(url.href);
  next.searchParams.set('cursor', formatCursor(cursor));
  return `${next.pathname}${next.search}`;
}
