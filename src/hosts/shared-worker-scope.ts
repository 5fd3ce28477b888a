import { Hub, type HubOptions, type HubPeer } from '../hub/hub.js';
import type { HubMessage, RefusedMessage } from '../hub/hub-messages.js';
import type { Transport } from '../transports/transport.js';
import { aliveLockName } from './host-link.js';
import { watchTabLock } from './watch-tab-lock.js';

/**
 * The little of `SharedWorkerGlobalScope` used here, typed locally: the
 * `webworker` and `DOM` libs cannot both be loaded in one TypeScript program.
 */
export interface SharedWorkerScopeLike {
  /** The name the pages gave the worker: the hub's name. */
  readonly name?: string;
  addEventListener(type: 'connect', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'online', listener: () => void): void;
}

export interface SharedWorkerHubOptions {
  readonly transports: readonly Transport[];
  /** For tests that play a worker file of another cometkit release. */
  readonly protocolVersion?: number;
  readonly sdkVersion?: string;
}

/**
 * Serves hubs from inside a SharedWorker: each connecting tab gets its port
 * read by the hub. One worker instance serves one push server (its name
 * says which), so one hub is enough; it is created on the first connection.
 */
export function serveSharedWorker(scope: SharedWorkerScopeLike, options: SharedWorkerHubOptions): Hub {
  const hubOptions: HubOptions = {
    host: 'shared-worker',
    transports: options.transports,
    watchTab: watchTabLock,
    ...(options.protocolVersion === undefined ? {} : { protocolVersion: options.protocolVersion }),
    ...(options.sdkVersion === undefined ? {} : { sdkVersion: options.sdkVersion }),
  };
  const hub = new Hub(hubOptions);
  // Held until this worker ends, however it ends: tabs waiting for it learn the hub is gone. Ports are
  // answered only once it is held, so a tab's request for it (made after the first answer) queues behind it.
  const alive =
    scope.name && typeof navigator === 'object' && typeof navigator.locks?.request === 'function'
      ? new Promise<void>((held) => {
          navigator.locks.request(aliveLockName(scope.name!), () => {
            held();
            return new Promise<void>(() => {});
          }).catch(() => held());
        })
      : Promise.resolve();
  scope.addEventListener('connect', (event: MessageEvent) => {
    const port = event.ports[0];
    if (!port) return;
    const peer: HubPeer = {
      post: (message: HubMessage | RefusedMessage) => port.postMessage(message),
      close: () => port.close(),
    };
    // Messages wait in the port until it is started.
    void alive.then(() => {
      port.onmessage = (message: MessageEvent) => hub.receive(message.data, () => peer);
      // Data that cannot be deserialized is as foreign as data that is not ours: dropped, counted by the hub.
      port.onmessageerror = () => hub.receive(undefined, () => peer);
      port.start();
    });
  });
  // A worker's timers are not throttled like a background tab's, but the network can still come back.
  scope.addEventListener('online', () => hub.wake());
  return hub;
}
