// Importing this module defines every cometkit element.
export { CometConnection } from './comet-connection/comet-connection.js';
export { CometFeed } from './comet-feed/comet-feed.js';
export { CometToasts, toastFromEvent } from './comet-toasts/comet-toasts.js';
export { CometPresence } from './comet-presence/comet-presence.js';
export { CometPresenceBadge } from './comet-presence-badge/comet-presence-badge.js';
export { CometBell } from './comet-bell/comet-bell.js';
export { CometStatus } from './comet-status/comet-status.js';
export { CometPreferences } from './comet-preferences/comet-preferences.js';
export type { CometFeedStrings, FeedItemContext } from './comet-feed/comet-feed.js';
export type { CometToastsStrings, Toast, ToastAction, ToastContent, ToastDismissReason, ToastOptions, ToastPlacement, ToastPromiseMessages, ToastSeverity } from './comet-toasts/comet-toasts.js';
export type { CometPresenceStrings, CometPresenceChangeDetail } from './comet-presence/comet-presence.js';
export type { CometPresenceBadgeStrings, CometPresenceBadgeChangeDetail } from './comet-presence-badge/comet-presence-badge.js';
export type { CometBellStrings } from './comet-bell/comet-bell.js';
export type { CometStatusStrings, CometStatusChangeDetail } from './comet-status/comet-status.js';
export type { CometPreferencesStrings, PreferenceCategory } from './comet-preferences/comet-preferences.js';
