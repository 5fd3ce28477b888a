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
export type { PresenceDeparture, PresenceStore, StoredPresenceMember } from './presence/presence-store.js';
export type { PresenceService, ServerPresenceIdentity, ServerPresenceOptions } from './presence/presence-service.js';
export type { CometEvent } from '../src/protocol/messages.js';
export type { GripOptions } from './grip/grip-options.js';
export { HttpStatusError } from './http/http-error.js';
export type { SendContext, ServerSendOptions } from './send/send-service.js';
export type { RateLimit } from './send/rate-limiter.js';
export { MemoryIdempotencyStore, type IdempotencyRecord, type IdempotencyStore, type MemoryIdempotencyStoreOptions } from './send/idempotency-store.js';
export { MemoryPresenceStateStore, type PresenceStateStore } from './presence/presence-state-store.js';
export { InboxService, type InboxActionCall, type InboxActionOutcome, type InboxOptions } from './inbox/inbox-service.js';
export { verifyWebhookSignature, webhookSignature, type ActionWebhookOptions } from './inbox/action-webhook.js';
export type { HooksOptions } from './hooks/access-hooks.js';
export type { HookEndpointOptions } from './hooks/hook-endpoint.js';
export { MemoryInboxStore, type MemoryInboxStoreOptions } from './inbox/memory-inbox-store.js';
export type { InboxActionClaim, InboxAdded, InboxStore, InboxWoken, NewInboxItem, StoredInboxPage } from './inbox/inbox-store.js';
export { inboxChannel } from './inbox/inbox-channel.js';
// An item's group and action result, which InboxItem holds, as cometkit exports them.
export type { InboxAction, InboxActionResult, InboxChange, InboxCounts, InboxGroup, InboxItem, InboxMuted, InboxPreferences } from '../src/protocol/inbox-protocol.js';
export type { InboxFilter, InboxNotification, InboxPreferencesPatch } from '../src/protocol/inbox-protocol.js';
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
export type { PushMessage, PushNotificationMessage, PushSubscriptionJson, PushWithdrawMessage } from '../src/protocol/push-protocol.js';

// Renamed in this release: names the browser SDK gives something else get the server's or the
// store's word, and wire names (`…Json`) the words of the rest of the API. The old names stay for
// one release; `HttpError`, a value, says so once when it is used (server/deprecated-names.ts).
export { HttpError } from './deprecated-names.js';
import type { InboxAction, InboxChange, InboxCounts, InboxItem, InboxMuted, InboxPreferences } from '../src/protocol/inbox-protocol.js';
import type { StoredInboxPage } from './inbox/inbox-store.js';
import type { ServerPresenceIdentity, ServerPresenceOptions } from './presence/presence-service.js';
import type { StoredPresenceMember } from './presence/presence-store.js';
import type { ServerSendOptions } from './send/send-service.js';
/** @deprecated Renamed {@link StoredPresenceMember}: `cometkit`'s `PresenceMember` is a roster's member. The old name goes in the next release. */
export type PresenceMember = StoredPresenceMember;
/** @deprecated Renamed {@link ServerPresenceIdentity}: `cometkit`'s `PresenceIdentity` is a client's own. The old name goes in the next release. */
export type PresenceIdentity = ServerPresenceIdentity;
/** @deprecated Renamed {@link ServerPresenceOptions}: `cometkit`'s `PresenceOptions` are a roster's. The old name goes in the next release. */
export type PresenceOptions = ServerPresenceOptions;
/** @deprecated Renamed {@link ServerSendOptions}: `cometkit`'s `SendOptions` are one `send()`'s. The old name goes in the next release. */
export type SendOptions = ServerSendOptions;
/** @deprecated Renamed {@link StoredInboxPage}: `cometkit`'s `InboxPage` is the page a client reads. The old name goes in the next release. */
export type InboxPage = StoredInboxPage;
/** @deprecated Renamed {@link InboxAction}; the old name goes in the next release. */
export type InboxActionJson = InboxAction;
/** @deprecated Renamed {@link InboxChange}; the old name goes in the next release. */
export type InboxChangeJson = InboxChange;
/** @deprecated Renamed {@link InboxCounts}; the old name goes in the next release. */
export type InboxCountsJson = InboxCounts;
/** @deprecated Renamed {@link InboxItem}; the old name goes in the next release. */
export type InboxItemJson = InboxItem;
/** @deprecated Renamed {@link InboxMuted}; the old name goes in the next release. */
export type InboxMutedJson = InboxMuted;
/** @deprecated Renamed {@link InboxPreferences}; the old name goes in the next release. */
export type InboxPreferencesJson = InboxPreferences;
