import { html, nothing, type TemplateResult } from 'lit';
import { ref } from 'lit/directives/ref.js';
import type { InboxAction, InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { notificationText } from '../text/notification-text.js';
import { relativeTime } from '../text/relative-time.js';
import { safeHttpUrl } from '../text/safe-url.js';
import { format } from '../shared/strings.js';
import { plural } from '../text/plural.js';
import { formattedText } from './formatted-text.js';
import type { InboxController } from './inbox-controller.js';
import type { InboxViewStrings } from './inbox-view.js';

export interface InboxItemContext {
  readonly language: string;
  readonly now: number;
  readonly root: () => Element | null;
  readonly onOpen?: (item: InboxItem) => void;
}

/** An inbox item as an event, for the text helpers shared with the channel-based views. */
const asEvent = (item: InboxItem): CometEvent => ({ id: String(item.id), channel: 'inbox', type: item.type, data: item.data, time: item.time });

/** What a screen reader hears for each severity (the colour alone says nothing to it). */
const SEVERITY_TEXT: Record<string, (strings: InboxViewStrings) => string> = {
  info: (strings) => strings.severityInfo,
  success: (strings) => strings.severitySuccess,
  warning: (strings) => strings.severityWarning,
  error: (strings) => strings.severityError,
};
const HOUR = 60 * 60 * 1000;

/** Up to two letters of a display name: "Ada Lovelace" → "AL". */
function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]!.toUpperCase())
    .join('');
}

/** The snooze presets: in an hour, tomorrow at 9:00, next Monday at 9:00 (the device's time zone). */
function snoozePresets(now: number, strings: InboxViewStrings): Array<[string, number]> {
  const at9 = (days: number): number => {
    const date = new Date(now);
    date.setDate(date.getDate() + days);
    date.setHours(9, 0, 0, 0);
    return date.getTime();
  };
  const toMonday = ((8 - new Date(now).getDay()) % 7) || 7;
  return [
    [strings.snoozeHour, now + HOUR],
    [strings.snoozeTomorrow, at9(1)],
    [strings.snoozeNextWeek, at9(toMonday)],
  ];
}

/**
 * "Ada and 9 others", or "10 notifications" when the group names nobody. The
 * server keeps the latest few actors, each once: one actor named means
 * everyone was that one (or nobody else was named), not "and 9 others".
 */
function groupSummary(item: InboxItem, strings: InboxViewStrings, language: string): string {
  const count = item.group?.count ?? 1;
  const actors = item.group?.actors ?? [];
  const first = actors[0] ?? item.actor;
  if (!first) return plural(strings.groupCount, count, language);
  const others = actors.length > 1 ? count - 1 : 0;
  return others === 0 ? first : plural(strings.groupActors, others, language, { actor: first, others });
}

function renderAction(inbox: InboxController, item: InboxItem, action: InboxAction, strings: InboxViewStrings): TemplateResult | typeof nothing {
  const kind = action.kind === 'primary' ? 'primary' : 'secondary';
  if (action.url !== undefined) {
    const href = safeHttpUrl(action.url);
    return href ? html`<a part=${`action action-${kind} action-link`} href=${href} target="_blank" rel="noopener noreferrer">${action.label}</a>` : nothing;
  }
  const pending = inbox.pendingActions.get(item.id);
  return html`<button
    part=${`action action-${kind}${pending === action.id ? ' action-pending' : ''}`}
    type="button"
    aria-disabled=${pending === undefined ? 'false' : 'true'}
    aria-busy=${pending === action.id ? 'true' : 'false'}
    @click=${() => pending === undefined && void inbox.runAction(item, action.id, strings.actionFailed)}
  >${action.label}</button>`;
}

/** One inbox item: avatar, severity, title, formatted body, group, actions or their result, and its own buttons and snooze menu. */
export function renderInboxItem(inbox: InboxController, item: InboxItem, strings: InboxViewStrings, context: InboxItemContext): TemplateResult {
  const { title, body, url } = notificationText(asEvent(item));
  const read = (value: boolean) => void inbox.change({ ids: [item.id], set: { read: value } }, strings.readFailed);
  const archive = (value: boolean) => void inbox.change({ ids: [item.id], set: { archived: value } }, strings.archiveFailed);
  const opened = () => {
    if (!item.read) read(true);
    context.onOpen?.(item);
  };
  const severity = item.severity && Object.hasOwn(SEVERITY_TEXT, item.severity) ? item.severity : undefined;
  const avatar = safeHttpUrl(item.avatar);
  const actor = typeof item.actor === 'string' ? item.actor : '';
  const grouped = (item.group?.count ?? 1) > 1;
  const pending = inbox.pendingActions.has(item.id);
  const actions = item.result ? [] : (item.actions ?? []).slice(0, 2);
  return html`<li
    part=${['item', item.read ? '' : 'unread', item.seen ? '' : 'unseen', severity ? `severity-${severity}` : ''].filter(Boolean).join(' ')}
    data-id=${item.id}
    ${ref((element) => element && !item.seen && inbox.observeSeen(element, context.root()))}
  >
    <span part="title"
      >${avatar
        ? html`<img part="avatar" src=${avatar} alt="" referrerpolicy="no-referrer" loading="lazy" />`
        : actor
          ? html`<span part="avatar avatar-initials" aria-hidden="true">${initials(actor)}</span>`
          : nothing}${item.read ? nothing : html`<span class="visually-hidden">${strings.unread}: </span>`}${severity
        ? html`<span part="severity" data-severity=${severity}>${SEVERITY_TEXT[severity]!(strings)}</span> `
        : nothing}${title}</span
    >
    <span part="actions">
      <button part="mark-read" type="button" aria-label=${format(item.read ? strings.markUnreadLabel : strings.markReadLabel, { title })} @click=${() => read(!item.read)}>
        ${item.read ? strings.markUnread : strings.markRead}
      </button>
      <button part="archive" type="button" aria-label=${format(item.archived ? strings.unarchiveLabel : strings.archiveLabel, { title })} @click=${() => archive(!item.archived)}>
        ${item.archived ? strings.unarchive : strings.archive}
      </button>
      ${item.archived
        ? nothing
        : html`<details part="menu">
            <summary part="menu-button" aria-label=${format(strings.snoozeLabel, { title })}>${strings.snooze}</summary>
            <div part="menu-list" role="group" aria-label=${format(strings.snoozeLabel, { title })}>
              ${snoozePresets(context.now, strings).map(
                ([label, until]) => html`<button part="snooze" type="button" @click=${() => void inbox.snooze(item, until, strings.snoozeFailed)}>${label}</button>`,
              )}
            </div>
          </details>`}
    </span>
    ${grouped
      ? html`<span part="group"
          >${groupSummary(item, strings, context.language)}
          <span part="group-count" role="img" aria-label=${plural(strings.groupCount, item.group!.count, context.language)}>${item.group!.count}</span></span
        >`
      : nothing}
    ${body ? html`<span part="body">${formattedText(body)}</span>` : nothing}
    <time part="time" datetime=${new Date(item.time).toISOString()} title=${new Date(item.time).toLocaleString(context.language)}>${relativeTime(item.time, context.now, context.language)}</time>
    ${url ? html`<a part="link" href=${url} target="_blank" rel="noopener noreferrer" @click=${opened}>${strings.open}</a>` : nothing}
    ${item.result
      ? html`<span part="result">${item.result.label}</span>`
      : actions.length > 0
        ? html`<span part="item-actions" role="group" aria-busy=${pending ? 'true' : 'false'}>${actions.map((action) => renderAction(inbox, item, action, strings))}</span>`
        : nothing}
  </li>`;
}
