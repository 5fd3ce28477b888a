export { createCometServer, type CometServer } from './comet-server.js';
export type { CometServerOptions } from './options.js';
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory-broker.js';
export type { Broker, HistoryRead, PublishInput } from './broker/broker.js';
export { signToken, verifyToken, type TokenClaims } from './auth/token.js';
export type { StreamStats } from './stream/connections.js';
export type { CometEvent } from '../src/protocol/messages.js';
