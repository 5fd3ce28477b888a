import { html, nothing, type TemplateResult } from 'lit';
import { keyedList } from '../lists/keyed-list.js';
import { ref } from 'lit/directives/ref.js';
import type { InboxFilter } from '../../src/protocol/inbox-protocol.js';
import { InboxController } from './inbox-controller.js';
import { renderInboxItem, type InboxItemContext } from './inbox-item.js';
import { mergePluralStrings, type PluralString } from '../text/plural.js';
import { format } from '../shared/strings.js';

/** Every text of the inbox view, replaceable through the element's `inboxStrings` (i18n). */
export interface InboxViewStrings {
  views: string;
  unreadView: string;
  allView: string;
  archivedView: string;
  markAll: string;
  markRead: string;
  markUnread: string;
  archive: string;
  unarchive: string;
  /** Accessible names of an item's buttons; `{title}`. */
  markReadLabel: string;
  markUnreadLabel: string;
  archiveLabel: string;
  unarchiveLabel: string;
  open: string;
  unread: string;
  loading: string;
  loadingOlder: string;
  loadOlder: string;
  emptyUnread: string;
  emptyAll: string;
  emptyArchived: string;
  /** `{error}` is the reason. */
  error: string;
  /** A change refused by the server and rolled back; `{error}`. */
  readFailed: string;
  archiveFailed: string;
  seenFailed: string;
  /** Read before the title of an item with a severity (its colour says nothing to a screen reader). */
  severityInfo: string;
  severitySuccess: string;
  severityWarning: string;
  severityError: string;
  /** A group naming its latest actor: `{actor}` and `{others}`; plural forms by the number of others. */
  groupActors: PluralString;
  /** How many notifications a group holds, `{count}`; plural forms by count. */
  groupCount: PluralString;
  /** An action that did not run; `{error}`. */
  actionFailed: string;
  /** The snooze menu's button, and its accessible name (`{title}`). */
  snooze: string;
  snoozeLabel: string;
  snoozeHour: string;
  snoozeTomorrow: string;
  snoozeNextWeek: string;
  /** A snooze the server refused; `{error}`. */
  snoozeFailed: string;
}

export const INBOX_VIEW_STRINGS: InboxViewStrings = {
  views: 'Show',
  unreadView: 'Unread',
  allView: 'All',
  archivedView: 'Archived',
  markAll: 'Mark all read',
  markRead: 'Mark read',
  markUnread: 'Mark unread',
  archive: 'Archive',
  unarchive: 'Unarchive',
  markReadLabel: 'Mark read: {title}',
  markUnreadLabel: 'Mark unread: {title}',
  archiveLabel: 'Archive: {title}',
  unarchiveLabel: 'Unarchive: {title}',
  open: 'Open',
  unread: 'Unread',
  loading: 'Loading…',
  loadingOlder: 'Loading older notifications…',
  loadOlder: 'Load older',
  emptyUnread: 'Nothing unread.',
  emptyAll: 'No notifications yet.',
  emptyArchived: 'Nothing archived.',
  error: 'Could not load notifications: {error}',
  readFailed: 'Not saved, the change was undone: {error}',
  archiveFailed: 'Not archived, the change was undone: {error}',
  seenFailed: 'Could not mark as seen: {error}',
  severityInfo: 'Information:',
  severitySuccess: 'Success:',
  severityWarning: 'Warning:',
  severityError: 'Error:',
  groupActors: { one: '{actor} and {others} other', other: '{actor} and {others} others' },
  groupCount: { one: '{count} notification', other: '{count} notifications' },
  actionFailed: 'The action did not run: {error}',
  snooze: 'Snooze',
  snoozeLabel: 'Snooze: {title}',
  snoozeHour: 'For an hour',
  snoozeTomorrow: 'Until tomorrow',
  snoozeNextWeek: 'Until next week',
  snoozeFailed: 'Not snoozed: {error}',
};


/** Loaded on first use: elements without `inbox` do not carry the inbox's code. */
export { InboxController };

/**
 * The inbox list with its views, "mark all read", per-item read/archive,
 * seen-on-screen and endless scroll. `root` is the scrolling element that
 * decides what is on screen; `onOpen` is told when an item's link is opened.
 */
export function renderInboxView(inbox: InboxController, replacements: Partial<InboxViewStrings>, context: InboxItemContext): TemplateResult {
  const strings = mergePluralStrings(INBOX_VIEW_STRINGS, replacements);
  const views: Array<[InboxFilter, string]> = [
    ['unread', strings.unreadView],
    ['all', strings.allView],
    ['archived', strings.archivedView],
  ];
  inbox.seenFailure = strings.seenFailed;
  const empty = inbox.filter === 'unread' ? strings.emptyUnread : inbox.filter === 'archived' ? strings.emptyArchived : strings.emptyAll;
  const status =
    inbox.items.length > 0 ? ''
    : inbox.status === 'error' ? format(strings.error, { error: inbox.error })
    : inbox.status === 'ready' ? empty
    : strings.loading;
  return html`<div part="inbox">
    <div part="inbox-bar">
      <div part="views" role="group" aria-label=${strings.views}>
        ${views.map(
          ([filter, label]) =>
            html`<button part=${inbox.filter === filter ? 'view view-current' : 'view'} type="button" aria-pressed=${inbox.filter === filter ? 'true' : 'false'} @click=${() => inbox.setFilter(filter)}>${label}</button>`,
        )}
      </div>
      <button part="mark-all" type="button" ?disabled=${(inbox.counts?.unread ?? 0) === 0} @click=${() => void inbox.markAllRead(strings.readFailed)}>${strings.markAll}</button>
    </div>
    <p part="notice" role="alert">${inbox.notice}</p>
    ${inbox.items.length === 0
      ? html`<p part="empty" role="status">${status}</p>`
      : html`<ul part="list">
          ${keyedList(inbox.items, (item) => item.id, (item) => renderInboxItem(inbox, item, strings, context))}
        </ul>`}
    ${inbox.next !== null && inbox.items.length > 0
      ? html`<button
          part="load-older"
          type="button"
          ?disabled=${inbox.loadingMore}
          @click=${() => void inbox.loadMore()}
          ${ref((element) => element && inbox.observeEnd(element, context.root()))}
        >
          ${inbox.loadingMore ? strings.loadingOlder : strings.loadOlder}
        </button>`
      : nothing}
  </div>`;
}
