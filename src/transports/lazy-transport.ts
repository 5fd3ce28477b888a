import { loadModule } from '../errors/module-load-error.js';
import type { TransportName } from '../protocol/transport-name.js';
import type { StreamRequest, Transport, TransportConnection, TransportSink } from './transport.js';

/**
 * A transport whose code loads the first time it is opened: fallbacks cost a
 * page nothing until the ladder steps down to them. A failed load ends that
 * stream with a ModuleLoadError, which the upstream treats like any failed
 * open (backoff, then the next step down), so it never hangs.
 */
export function lazyTransport(name: TransportName, isSupported: () => boolean, load: () => Promise<Transport>): Transport {
  let loaded: Transport | undefined;
  return {
    name,
    isSupported,
    open(request: StreamRequest, sink: TransportSink): TransportConnection {
      if (loaded) return loaded.open(request, sink);
      let connection: TransportConnection | undefined;
      let closed = false;
      loadModule(`${name} transport`, load).then(
        (transport) => {
          loaded = transport;
          if (!closed) connection = transport.open(request, sink);
        },
        (error: Parameters<TransportSink['closed']>[0]) => {
          if (!closed) sink.closed(error);
        },
      );
      return {
        close() {
          closed = true;
          connection?.close();
        },
      };
    },
  };
}
