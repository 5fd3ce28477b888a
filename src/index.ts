export { CometClient } from './client/client.js';
export type { ClientOptions, EventHandler, PushControl, SubscribeOptions, Subscription } from './client/client.js';
export type { PushState, PushSubscribeOptions } from './push/push-client.js';
export type { SendOptions } from './client/send.js';
export type { HostKind } from './hub/port-protocol.js';
export type { HostPreference } from './hosts/choose-host.js';
export { CometErrorEvent, CometGapEvent, CometStateEvent, CometTransportDecisionEvent } from './client/events.js';
export type { CometClientEventMap } from './client/events.js';
export { configure, createClient, getDefaultClient, onDefaultClient } from './client/default-client.js';
export { CometError, HttpStatusError, MalformedFrameError, ModuleLoadError, NetworkError, ProtocolError, StreamTimeoutError, isCometError, isHttpStatusError } from './errors/index.js';
export type { ClientErrorCode, CometErrorCode } from './errors/index.js';
export type { CometEvent, GapFrame, GapReason } from './protocol/messages.js';
export type { TransportName } from './protocol/transport-name.js';
export type { ConnectionState, TokenSource } from './upstream/upstream.js';
export type { BackoffOptions } from './upstream/backoff.js';
export type { DecisionReason, TransportDecision } from './upstream/ladder-decision.js';
export type { LadderOptions } from './upstream/ladder-options.js';
export { PresenceRoster, PresenceChangeEvent, PresenceErrorEvent } from './presence/presence-roster.js';
export type { PresenceMember, PresenceRosterEventMap } from './presence/presence-roster.js';
export type { PresenceIdentity, PresenceOptions } from './presence/presence-manager.js';
// Types only: the inbox's code loads when client.inbox() is first called.
export type { Inbox, InboxListOptions } from './inbox/inbox.js';
export type { InboxAddedEvent, InboxChangedEvent, InboxErrorEvent, InboxPreferencesEvent, InboxResyncEvent, InboxSnoozedEvent, InboxUpdatedEvent } from './inbox/inbox-events.js';
export type { InboxEventMap } from './inbox/inbox-events.js';
export type {
  InboxActionAnswerJson,
  InboxActionJson,
  InboxActionResultJson,
  InboxChangeJson,
  InboxCountsJson,
  InboxDelivery,
  InboxFilter,
  InboxFlags,
  InboxGroupJson,
  InboxItemJson,
  InboxPageJson,
  InboxPreferencesAnswerJson,
  InboxPreferencesJson,
  InboxPreferencesPatch,
  InboxSeverity,
} from './protocol/inbox-protocol.js';
