import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { RedisBroker } from '../../server/broker/redis-broker.js';
import { scaleOutBinaries } from '../support/scale/binaries.js';
import { brokerContract } from '../support/scale/broker-contract.js';
import { startRedis } from '../support/scale/redis-server.js';

const historySize = 50;

brokerContract('MemoryBroker', {
  skip: false,
  historySize,
  make: async () => {
    const broker = new MemoryBroker({ historySize });
    return { broker, close: () => broker.close() };
  },
});

brokerContract('RedisBroker', {
  skip: scaleOutBinaries(['redis-server']).skip,
  historySize,
  make: async () => {
    const redis = await startRedis();
    const broker = new RedisBroker({ url: redis.url, historySize });
    await broker.ready();
    return {
      broker,
      close: async () => {
        await broker.close();
        await redis.close();
      },
    };
  },
});
