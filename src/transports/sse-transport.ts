import { NetworkError } from '../errors/network-error.js';
import type { CometError } from '../errors/comet-error.js';
import { diagnoseRefusal } from './diagnose-refusal.js';
import { readFrame, type FrameKind } from './frame-reader.js';
import { streamUrl } from './stream-url.js';
import type { StreamRequest, Transport, TransportConnection, TransportSink } from './transport.js';

const FRAME_KINDS: ReadonlyArray<[string, FrameKind]> = [
  ['hello', 'hello'],
  ['message', 'event'],
  ['gap', 'gap'],
  ['heartbeat', 'heartbeat'],
];

/**
 * Server-Sent Events through the browser's EventSource.
 *
 * The browser's own reconnection is not used: on the first error the source
 * is closed and the caller decides, with its backoff and its cursor, when
 * and where to reconnect.
 */
export const sseTransport: Transport = {
  name: 'sse',

  isSupported: () => typeof EventSource === 'function',

  open(request: StreamRequest, sink: TransportSink): TransportConnection {
    const url = streamUrl(request, 'sse');
    const source = new EventSource(url, { withCredentials: request.withCredentials });
    const diagnosis = new AbortController();
    let done = false;

    const finish = (error?: CometError): void => {
      if (done) return;
      done = true;
      source.close();
      sink.closed(error);
    };

    for (const [name, kind] of FRAME_KINDS) {
      source.addEventListener(name, (event) => {
        if (done) return;
        const malformed = readFrame(kind, (event as MessageEvent<string>).data, sink);
        if (malformed) finish(malformed);
      });
    }

    source.addEventListener('error', () => {
      if (done) return;
      // [spec] A network error leaves readyState CONNECTING (the browser would retry);
      // a refused response (status other than 200, wrong Content-Type) makes it CLOSED.
      if (source.readyState !== EventSource.CLOSED) {
        finish(new NetworkError('The event stream was interrupted.'));
        return;
      }
      source.close();
      void diagnoseRefusal(url, request.withCredentials, diagnosis.signal).then(finish);
    });

    return {
      close() {
        done = true;
        diagnosis.abort();
        source.close();
      },
    };
  },
};
