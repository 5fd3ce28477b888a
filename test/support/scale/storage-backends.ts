import { redisBroker } from '../../../server/broker/redis-broker.js';
import type { CometServerOptions } from '../../../server/options.js';
import { scaleOutBinaries } from './binaries.js';
import { startRedis } from './redis-server.js';

export interface StorageBackend {
  readonly name: string;
  readonly skip: string | false;
  /** Options that put a server's events, inbox, idempotency keys and member states on this backend. */
  start(): Promise<{ readonly options: Pick<CometServerOptions, 'broker'>; close(): Promise<void> }>;
}

/** Where a server keeps its state: a suite run against each proves the HTTP behaviour does not depend on it. */
export const storageBackends: readonly StorageBackend[] = [
  { name: 'memory', skip: false, start: async () => ({ options: {}, close: async () => undefined }) },
  {
    name: 'Redis',
    skip: scaleOutBinaries(['redis-server']).skip,
    start: async () => {
      const redis = await startRedis({ fsync: 'everysec' });
      const broker = redisBroker({ url: redis.url });
      await broker.ready();
      // The server closes the broker; Redis goes after it.
      return { options: { broker }, close: () => redis.close() };
    },
  },
];
