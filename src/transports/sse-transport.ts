import { NetworkError } from '../errors/network-error.js';
import type { CometError } from '../errors/comet-error.js';
import { diagnoseRefusal } from './load-diagnose-refusal.js';
import { readFrame, type FrameKind } from './frame-reader.js';
import { canUseEventSource, loadEventSource, type OpenEventSource } from './load-event-source.js';
import { streamUrl } from './stream-url.js';
import type { StreamRequest, Transport, TransportConnection, TransportSink } from './transport.js';

const FRAME_KINDS: ReadonlyArray<[string, FrameKind]> = [
  ['hello', 'hello'],
  ['message', 'event'],
  ['gap', 'gap'],
  ['heartbeat', 'heartbeat'],
  ['reconnect', 'reconnect'],
];

/** [spec] EventSource.CLOSED; the polyfill defines its constants on the prototype only. */
const CLOSED = 2;

/**
 * Server-Sent Events through the browser's EventSource, or through
 * eventsource-polyfill (loaded lazily) where there is none.
 *
 * The browser's own reconnection is not used: on the first error the source
 * is closed and the caller decides, with its backoff and its cursor, when
 * and where to reconnect.
 */
export const sseTransport: Transport = {
  name: 'sse',

  streaming: true,

  isSupported: canUseEventSource,

  open(request: StreamRequest, sink: TransportSink): TransportConnection {
    const url = streamUrl(request, 'sse');
    const diagnosis = new AbortController();
    let source: EventSource | undefined;
    let done = false;

    const finish = (error?: CometError): void => {
      if (done) return;
      done = true;
      source?.close();
      sink.closed(error);
    };

    const start = (openEventSource: OpenEventSource): void => {
      if (done) return;
      const opened = openEventSource(url, request.withCredentials);
      source = opened;

      for (const [name, kind] of FRAME_KINDS) {
        opened.addEventListener(name, (event) => {
          if (done) return;
          const malformed = readFrame(kind, (event as MessageEvent<string>).data, sink);
          if (malformed) finish(malformed);
          // The server is draining: its delay, not this source's retry, decides when to come back.
          else if (kind === 'reconnect') {
            done = true;
            opened.close();
          }
        });
      }

      let answered = false;
      opened.addEventListener('open', () => (answered = true));
      const failed = (): void => {
        if (done) return;
        // [spec] A network error leaves readyState CONNECTING (the browser would retry);
        // a refused response (status other than 200, wrong Content-Type) makes it CLOSED.
        // A stream that never opened is asked why too: no answer at all is an unreachable server, not a cut stream.
        if (opened.readyState !== CLOSED && answered) {
          finish(new NetworkError('The event stream was interrupted.'));
          return;
        }
        opened.close();
        void diagnoseRefusal(url, request.withCredentials, diagnosis.signal).then(finish);
      };
      opened.addEventListener('error', failed);
      // The last frame of a stream whose token expired: a refusal. The same URL now gets the
      // server's 401 token-expired, which a token function answers with a fresh token.
      opened.addEventListener('token-expired', () => {
        opened.close();
        failed();
      });
    };

    loadEventSource().then(start, (cause: unknown) => finish(new NetworkError('No EventSource here, and eventsource-polyfill could not be loaded.', { cause })));

    return {
      close() {
        done = true;
        diagnosis.abort();
        source?.close();
      },
    };
  },
};
