import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { TransportName } from '../../src/protocol/transport-name.js';
import type { Broker } from '../broker/broker.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from './connections.js';
import { openFeed, type FeedSink } from './feed.js';
import type { StreamRequest } from './stream-request.js';

/** An open response that a streaming transport writes its frames to. */
export interface HeldStream {
  readonly closed: boolean;
  /** Bytes written so far, for transports that end their document after a bound. */
  readonly written: number;
  write(text: string): void;
  /** Ends the response; the client resumes from its cursor. */
  close(): void;
}

export interface StreamFormat {
  readonly headers: OutgoingHttpHeaders;
  /** Written before the hello (padding some browsers need before they render a streamed document). */
  readonly preamble?: string;
  /** How feed frames are written. */
  sink(stream: HeldStream): FeedSink;
  heartbeat(time: number): string;
  /** After the replay, before live events: a bounded document may already be full. */
  replayed?(stream: HeldStream): void;
}

/**
 * The life of a held streaming response, shared by SSE and the iframe: it
 * is tracked for stats and targeted disconnects, fed from the broker, beats,
 * and is cut when the reader stops reading (rather than buffered without
 * end) or goes away.
 */
export async function holdStream(
  req: IncomingMessage,
  res: ServerResponse,
  request: StreamRequest,
  transport: TransportName,
  format: StreamFormat,
  deps: { broker: Broker; options: ResolvedOptions; connections: ConnectionRegistry },
): Promise<void> {
  const { broker, options, connections } = deps;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let feed: { close(): void } | undefined;
  let untrack = (): void => {};

  const stream = {
    closed: false,
    written: 0,
    write(text: string): void {
      if (stream.closed) return;
      res.write(text);
      stream.written += Buffer.byteLength(text);
      if (res.writableLength > options.maxBufferedBytes) stream.close();
    },
    close(): void {
      if (stream.closed) return;
      stream.closed = true;
      clearInterval(heartbeat);
      feed?.close();
      untrack();
      res.end();
    },
  };

  untrack = connections.add({ transport, channels: request.channels, user: request.user?.sub, client: request.client, close: stream.close });
  req.on('close', stream.close);
  res.on('error', stream.close);
  res.writeHead(200, format.headers);
  if (format.preamble) stream.write(format.preamble);
  else res.flushHeaders();

  feed = await openFeed(broker, request.channels, request.cursor, format.sink(stream));
  if (stream.closed) {
    feed.close();
    return;
  }
  format.replayed?.(stream);
  if (stream.closed) return;
  heartbeat = setInterval(() => stream.write(format.heartbeat(Date.now())), options.heartbeatMs);
}
