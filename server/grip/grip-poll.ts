import type { ServerResponse } from 'node:http';
import { formatCursor } from '../../src/protocol/cursor.js';
import { formatPosition } from '../../src/protocol/position.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { ResolvedOptions } from '../options.js';
import { readReplay } from '../stream/feed.js';
import type { StreamRequest } from '../stream/stream-request.js';
import { gripChannel } from './grip-channels.js';
import type { ResolvedGripOptions } from './grip-options.js';

/**
 * A poll that came through the GRIP proxy with nothing to answer yet: the
 * proxy holds it (`Grip-Hold: response`) instead of the server. The body is
 * the answer it sends when `wait` passes. A publish on one of its channels
 * carries a hint: the proxy sends the same request again, and the server
 * answers it from history with the poll's whole cursor. `prev-id` makes the
 * proxy send it again at once when an event came between this answer and the
 * hold. Returns false when there is something to answer now (the caller
 * answers as usual).
 */
export async function holdGripPoll(
  res: ServerResponse,
  request: StreamRequest,
  wait: number,
  deps: { broker: Broker; options: ResolvedOptions; grip: ResolvedGripOptions },
): Promise<boolean> {
  const { broker, options, grip } = deps;
  const replay = await readReplay(broker, request.channels, request.cursor);
  if (replay.gaps.length > 0 || replay.events.length > 0) return false;
  const cursor = formatCursor(replay.cursor);
  const hello = { v: PROTOCOL_VERSION, time: Date.now(), heartbeat: options.pollTimeoutMs, cursor, transport: 'long-poll' as const };
  const body = JSON.stringify({ hello, gaps: [], events: [], cursor });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Grip-Hold': 'response',
    'Grip-Channel': request.channels
      .map((channel) => `${gripChannel(grip.channelPrefix, 'long-poll', channel)}; prev-id=${formatPosition(replay.cursor.get(channel)!)}`)
      .join(', '),
    'Grip-Timeout': String(Math.max(1, Math.round(wait / 1000))),
  });
  res.end(body);
  return true;
}
