export { createCometServer, type CometServer } from './comet-server.js';
export type { CometServerOptions } from './options.js';
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory-broker.js';
export { BrokerFullError, type Broker, type HistoryRead, type PublishInput, type SharedStoreOptions, type SharedStores } from './broker/broker.js';
export { createTokenVerifier, signToken, verifyToken, type TokenCheck, type TokenClaims, type TokenVerifier, type TokenVerifyOptions } from './auth/token.js';
export { answerClientError } from './http/client-error.js';
export { stopGracefully, type GracefulStopOptions } from './standalone/graceful-stop.js';
export { clientAddressBehind, trustedProxies, type TrustedProxies } from './http/trusted-proxies.js';
export { limitSocketsPerAddress, type SocketLimitOptions } from './http/socket-limits.js';
export { eventJson, MAX_DATA_DEPTH } from './broker/event-json.js';
export type { StreamStats } from './stream/connections.js';
export { MemoryPresenceStore } from './presence/memory-presence-store.js';
export type { PresenceDeparture, PresenceMember, PresenceStore } from './presence/presence-store.js';
export type { PresenceIdentity, PresenceOptions, PresenceService } from './presence/presence-service.js';
export type { CometEvent } from '../src/protocol/messages.js';
export type { GripOptions } from './grip/grip-options.js';
export { HttpError } from './http/http-error.js';
export type { SendContext, SendOptions } from './send/send-service.js';
export type { RateLimit } from './send/rate-limiter.js';
export { MemoryIdempotencyStore, type IdempotencyRecord, type IdempotencyStore, type MemoryIdempotencyStoreOptions } from './send/idempotency-store.js';
export { MemoryPresenceStateStore, type PresenceStateStore } from './presence/presence-state-store.js';
export { InboxService, type InboxActionCall, type InboxActionOutcome, type InboxOptions } from './inbox/inbox-service.js';
export { verifyWebhookSignature, webhookSignature, type ActionWebhookOptions } from './inbox/action-webhook.js';
export type { HooksOptions } from './hooks/access-hooks.js';
export type { HookEndpointOptions } from './hooks/hook-endpoint.js';
export { MemoryInboxStore, type MemoryInboxStoreOptions } from './inbox/memory-inbox-store.js';
export type { InboxActionClaim, InboxAdded, InboxPage, InboxStore, InboxWoken, NewInboxItem } from './inbox/inbox-store.js';
export { inboxChannel } from './inbox/inbox-channel.js';
export type {
  InboxActionJson,
  InboxChangeJson,
  InboxCountsJson,
  InboxFilter,
  InboxItemJson,
  InboxMutedJson,
  InboxNotification,
  InboxPreferencesJson,
  InboxPreferencesPatch,
} from '../src/inbox/inbox-protocol.js';
export { RedisBroker, redisBroker, type RedisBrokerOptions } from './broker/redis-broker.js';
export { RedisPresenceStore, redisPresenceStore, type RedisPresenceStoreOptions } from './presence/redis-presence-store.js';
export { RedisInboxStore, redisInboxStore, type RedisInboxStoreOptions } from './inbox/redis-inbox-store.js';
export { RedisIdempotencyStore, redisIdempotencyStore, type RedisIdempotencyStoreOptions } from './send/redis-idempotency-store.js';
export { RedisPresenceStateStore, redisPresenceStateStore, type RedisPresenceStateStoreOptions } from './presence/redis-presence-state-store.js';
export type { RedisStoreOptions } from './redis/redis-store-options.js';
export { PushService, type PushOptions } from './push/push-service.js';
export { MemoryPushStore, type MemoryPushStoreOptions } from './push/memory-push-store.js';
export { RedisPushStore } from './push/redis-push-store.js';
export type { PushStore, StoredPushDevice } from './push/push-store.js';
export { generateVapidKeys, type VapidKeys } from './push/vapid.js';
export { KNOWN_PUSH_SERVICES } from './push/endpoint-policy.js';
export type { PushMessage, PushNotificationMessage, PushSubscriptionJson, PushWithdrawMessage } from '../src/push/push-protocol.js';
