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
export type { CometEvent, Gap, GapReason } from './protocol/messages.js';
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
  InboxAction,
  InboxActionAnswer,
  InboxActionResult,
  InboxChange,
  InboxCounts,
  InboxDelivery,
  InboxFilter,
  InboxFlags,
  InboxGroup,
  InboxItem,
  InboxPage,
  InboxPreferences,
  InboxPreferencesAnswer,
  InboxPreferencesPatch,
  InboxSeverity,
} from './protocol/inbox-protocol.js';

// Renamed in this release, to the words the rest of the API uses (`gap`, an inbox's items): the old
// names stay for one release. Types only: a renamed type costs nothing at run time, so nothing warns.
import type { Gap } from './protocol/messages.js';
import type { InboxAction, InboxActionAnswer, InboxActionResult, InboxChange, InboxCounts, InboxGroup, InboxItem, InboxPage, InboxPreferences, InboxPreferencesAnswer } from './protocol/inbox-protocol.js';
/** @deprecated Renamed {@link Gap}; `GapFrame` goes in the next release. */
export type GapFrame = Gap;
/** @deprecated Renamed {@link InboxActionAnswer}; the old name goes in the next release. */
export type InboxActionAnswerJson = InboxActionAnswer;
/** @deprecated Renamed {@link InboxAction}; the old name goes in the next release. */
export type InboxActionJson = InboxAction;
/** @deprecated Renamed {@link InboxActionResult}; the old name goes in the next release. */
export type InboxActionResultJson = InboxActionResult;
/** @deprecated Renamed {@link InboxChange}; the old name goes in the next release. */
export type InboxChangeJson = InboxChange;
/** @deprecated Renamed {@link InboxCounts}; the old name goes in the next release. */
export type InboxCountsJson = InboxCounts;
/** @deprecated Renamed {@link InboxGroup}; the old name goes in the next release. */
export type InboxGroupJson = InboxGroup;
/** @deprecated Renamed {@link InboxItem}; the old name goes in the next release. */
export type InboxItemJson = InboxItem;
/** @deprecated Renamed {@link InboxPage}; the old name goes in the next release. */
export type InboxPageJson = InboxPage;
/** @deprecated Renamed {@link InboxPreferencesAnswer}; the old name goes in the next release. */
export type InboxPreferencesAnswerJson = InboxPreferencesAnswer;
/** @deprecated Renamed {@link InboxPreferences}; the old name goes in the next release. */
export type InboxPreferencesJson = InboxPreferences;
