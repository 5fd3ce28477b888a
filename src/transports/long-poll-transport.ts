import type { CometError } from '../errors/comet-error.js';
import { readRefusal } from '../errors/read-refusal.js';
import { unreachableError } from '../errors/unreachable-error.js';
import { MalformedFrameError } from '../errors/malformed-frame-error.js';
import { NetworkError } from '../errors/network-error.js';
import { readFrameValue, readReconnect } from './frame-reader.js';
import { streamUrl } from './stream-url.js';
import { longPollSupported } from './transport-support.js';
import type { StreamRequest, Transport, TransportConnection, TransportSink } from './transport.js';

interface PollBody {
  readonly hello?: unknown;
  readonly gaps?: unknown;
  readonly events?: unknown;
  readonly cursor?: unknown;
  readonly reconnect?: unknown;
}


/**
 * Long-polling with `fetch`: each request is held by the server until events
 * exist or its poll timeout passes, and is repeated at once from the cursor
 * of the answer. Every answer is a complete response, so proxies that buffer
 * streams cannot hold it back; the cost is a request per batch.
 *
 * The token travels in the `Authorization` header, not the URL, so it stays
 * out of proxy and server logs. Only the first answer's hello is passed on:
 * to the sink the polls are one stream; an empty answer counts as a beat.
 */
export const longPollTransport: Transport = {
  name: 'long-poll',
  streaming: false,

  isSupported: longPollSupported,

  open(request: StreamRequest, sink: TransportSink): TransportConnection {
    const controller = new AbortController();
    let cursor = request.cursor;
    let done = false;

    const finish = (error?: CometError): void => {
      if (done) return;
      done = true;
      controller.abort();
      sink.closed(error);
    };

    const run = async (): Promise<void> => {
      let first = true;
      while (!done) {
        let response: Response;
        try {
          // The first poll is answered at once: its hello says the connection works.
          response = await fetch(streamUrl({ ...request, cursor, token: undefined }, 'poll', first ? { wait: '0' } : {}), {
            headers: request.token ? { Authorization: `Bearer ${request.token}`, Accept: 'application/json' } : { Accept: 'application/json' },
            credentials: request.withCredentials ? 'include' : 'same-origin',
            cache: 'no-store',
            signal: controller.signal,
          });
        } catch (cause) {
          // No answer to the first poll: the server, not this transport's path, is away.
          if (!done) finish(first ? unreachableError(streamUrl(request, 'poll'), cause) : new NetworkError('The poll request failed.', { cause }));
          return;
        }
        if (!response.ok) {
          const error = await readRefusal(response);
          if (!done) finish(error);
          return;
        }
        let body: PollBody;
        try {
          body = (await response.json()) as PollBody;
        } catch (cause) {
          if (!done) finish(controller.signal.aborted ? undefined : new NetworkError('The poll answer was cut short.', { cause }));
          return;
        }
        if (done) return;
        if (typeof body !== 'object' || body === null || !Array.isArray(body.events) || !Array.isArray(body.gaps) || typeof body.cursor !== 'string') {
          finish(new MalformedFrameError('poll answer lacks "events", "gaps" or "cursor"', JSON.stringify(body).slice(0, 200)));
          return;
        }
        // Frames in wire order; the first malformed one ends the poll before anything after it is read.
        const frames: Array<['hello' | 'gap' | 'event', unknown]> = [
          ...(first ? [['hello', body.hello] as ['hello', unknown]] : []),
          ...body.gaps.map((gap): ['gap', unknown] => ['gap', gap]),
          ...body.events.map((event): ['event', unknown] => ['event', event]),
        ];
        for (const [kind, value] of frames) {
          const malformed = readFrameValue(kind, value, sink);
          if (malformed) {
            finish(malformed);
            return;
          }
          if (done) return;
        }
        if (done) return;
        // A draining server's last answer: what it carried is read; the next poll waits the server's delay.
        if (body.reconnect !== undefined) {
          done = true;
          readReconnect(body.reconnect, sink);
          return;
        }
        if (!first && body.events.length === 0 && body.gaps.length === 0) {
          const time = (body.hello as { time?: unknown } | undefined)?.time;
          readFrameValue('heartbeat', { time: typeof time === 'number' ? time : Date.now() }, sink);
        }
        first = false;
        cursor = body.cursor;
      }
    };
    void run();

    return {
      close() {
        done = true;
        controller.abort();
      },
    };
  },
};
