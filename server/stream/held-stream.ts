import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry } from './connections.js';
import type { Fanout, StreamWriter } from './fanout.js';
import type { StreamFormat } from './stream-format.js';
import type { StreamRequest } from './stream-request.js';

/**
 * The life of a held streaming response, shared by SSE and the iframe: it
 * is tracked for stats and targeted disconnects, fed and beaten by the
 * fan-out, and is cut when the reader stops reading (rather than buffered without
 * end) or goes away.
 */
export async function holdStream(
  req: IncomingMessage,
  res: ServerResponse,
  request: StreamRequest,
  format: StreamFormat,
  response: { readonly headers: OutgoingHttpHeaders; readonly preamble?: string },
  deps: { fanout: Fanout; options: ResolvedOptions; connections: ConnectionRegistry },
): Promise<void> {
  const { fanout, options, connections } = deps;
  let leave = (): void => {};
  let untrack = (): void => {};

  const stream: StreamWriter & { closed: boolean } = {
    closed: false,
    write(chunk: string | Buffer): void {
      if (stream.closed) return;
      res.write(chunk);
      if (res.writableLength > options.maxBufferedBytes) stream.close();
    },
    close(): void {
      if (stream.closed) return;
      stream.closed = true;
      leave();
      untrack();
      res.end();
    },
  };

  untrack = connections.add({ transport: format.transport, channels: request.channels, user: request.user?.sub, client: request.client, close: stream.close });
  req.on('close', stream.close);
  res.on('error', stream.close);
  res.writeHead(200, response.headers);
  if (response.preamble) stream.write(response.preamble);
  else res.flushHeaders();

  const joined = fanout.join(request.channels, request.cursor, format, stream, {
    written: response.preamble ? Buffer.byteLength(response.preamble) : 0,
  });
  leave = joined.leave;
  if (stream.closed) leave();
  try {
    await joined.started;
  } catch (error) {
    stream.close();
    throw error;
  }
}
