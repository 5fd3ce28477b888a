import { html, nothing, type TemplateResult } from 'lit';
import { keyedList } from '../shared/keyed-list.js';
import { ref } from 'lit/directives/ref.js';
import type { InboxFilter, InboxItemJson } from '../../src/inbox/inbox-protocol.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { InboxController } from './inbox-controller.js';
import { notificationText } from '../shared/notification-text.js';
import { relativeTime } from '../shared/relative-time.js';
import { format, mergeStrings } from '../shared/strings.js';

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
};

/** An inbox item as an event, for the text helpers shared with the channel-based views. */
const asEvent = (item: InboxItemJson): CometEvent => ({ id: String(item.id), channel: 'inbox', type: item.type, data: item.data, time: item.time });

/** Loaded on first use: elements without `inbox` do not carry the inbox's code. */
export { InboxController };

/**
 * The inbox list with its views, "mark all read", per-item read/archive,
 * seen-on-screen and endless scroll. `root` is the scrolling element that
 * decides what is on screen; `onOpen` is told when an item's link is opened.
 */
export function renderInboxView(
  inbox: InboxController,
  replacements: Partial<InboxViewStrings>,
  context: { language: string; now: number; root: () => Element | null; onOpen?: (item: InboxItemJson) => void },
): TemplateResult {
  const strings = mergeStrings(INBOX_VIEW_STRINGS, replacements);
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
          ${keyedList(inbox.items, (item) => item.id, (item) => renderItem(inbox, item, strings, context))}
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

function renderItem(
  inbox: InboxController,
  item: InboxItemJson,
  strings: InboxViewStrings,
  context: { language: string; now: number; root: () => Element | null; onOpen?: (item: InboxItemJson) => void },
): TemplateResult {
  const { title, body, url } = notificationText(asEvent(item));
  const read = (value: boolean) => void inbox.change({ ids: [item.id], set: { read: value } }, strings.readFailed);
  const archive = (value: boolean) => void inbox.change({ ids: [item.id], set: { archived: value } }, strings.archiveFailed);
  const opened = () => {
    if (!item.read) read(true);
    context.onOpen?.(item);
  };
  return html`<li
    part=${['item', item.read ? '' : 'unread', item.seen ? '' : 'unseen'].filter(Boolean).join(' ')}
    data-id=${item.id}
    ${ref((element) => element && !item.seen && inbox.observeSeen(element, context.root()))}
  >
    <span part="title">${item.read ? nothing : html`<span class="visually-hidden">${strings.unread}: </span>`}${title}</span>
    <span part="actions">
      <button part="mark-read" type="button" aria-label=${format(item.read ? strings.markUnreadLabel : strings.markReadLabel, { title })} @click=${() => read(!item.read)}>
        ${item.read ? strings.markUnread : strings.markRead}
      </button>
      <button part="archive" type="button" aria-label=${format(item.archived ? strings.unarchiveLabel : strings.archiveLabel, { title })} @click=${() => archive(!item.archived)}>
        ${item.archived ? strings.unarchive : strings.archive}
      </button>
    </span>
    ${body ? html`<span part="body">${body}</span>` : nothing}
    <time part="time" datetime=${new Date(item.time).toISOString()} title=${new Date(item.time).toLocaleString(context.language)}>${relativeTime(item.time, context.now, context.language)}</time>
    ${url ? html`<a part="link" href=${url} target="_blank" rel="noopener noreferrer" @click=${opened}>${strings.open}</a>` : nothing}
  </li>`;
}
