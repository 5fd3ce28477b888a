import {
  INBOX_ACTIONS_MAX,
  INBOX_LABEL_MAX,
  INBOX_NAME_PATTERN,
  INBOX_SEVERITIES,
  INBOX_URL_MAX,
  type InboxAction,
  type InboxSeverity,
} from '../../src/protocol/inbox-protocol.js';
import { HttpStatusError } from '../http/http-error.js';
import type { NewInboxItem } from './inbox-store.js';

/**
 * Control characters, and the bidirectional overrides and isolates that
 * would let a name or label read as something else once shown.
 */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const GROUP_MAX = 128;

const refuse = (field: string, rule: string): never => {
  throw new HttpStatusError(400, 'bad-notification', `"${field}" ${rule}`);
};

/** A string of 1 to `max` characters that can be shown as text. */
function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || UNSHOWABLE.test(value)) {
    refuse(field, `must be 1-${max} characters without control or direction characters.`);
  }
  return value as string;
}

/**
 * An absolute http(s) URL, as the elements' safe-URL rule would show it: a
 * `javascript:` or `data:` URL in an avatar or an action would run or load in the page.
 */
export function httpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > INBOX_URL_MAX) return refuse(field, `must be an http(s) URL of at most ${INBOX_URL_MAX} characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse(field, 'must be an absolute http(s) URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(field, 'must be an http(s) URL.');
  return url.href;
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || !INBOX_NAME_PATTERN.test(value)) refuse(field, 'must be 1-64 of A-Z a-z 0-9 _ . : -.');
  return value as string;
}

function actions(value: unknown): InboxAction[] {
  if (!Array.isArray(value) || value.length > INBOX_ACTIONS_MAX) return refuse('actions', `must be a list of at most ${INBOX_ACTIONS_MAX} actions.`);
  const checked: InboxAction[] = [];
  for (const [index, action] of value.entries()) {
    const field = `actions[${index}]`;
    if (typeof action !== 'object' || action === null || Array.isArray(action)) refuse(field, 'must be {"id", "label", "kind", "url"?}.');
    const { id, label, kind, url } = action as Record<string, unknown>;
    const one: { id: string; label: string; kind: InboxAction['kind']; url?: string } = {
      id: name(id, `${field}.id`),
      label: text(label, `${field}.label`, INBOX_LABEL_MAX),
      kind: kind === 'primary' || kind === 'secondary' ? kind : refuse(`${field}.kind`, 'must be "primary" or "secondary".'),
    };
    if (url !== undefined) one.url = httpUrl(url, `${field}.url`);
    if (checked.some((earlier) => earlier.id === one.id)) refuse(`${field}.id`, 'must differ from the other action\'s id.');
    checked.push(one);
  }
  return checked;
}

/**
 * Checks what `notify` takes (PROTOCOL.md, Inbox) and keeps only the
 * fields it knows; `data` is checked for size by the caller.
 */
export function checkNotification(notification: Record<string, unknown>): Omit<NewInboxItem, 'time' | 'toast'> & { readonly category: string } {
  const type = notification['type'] ?? 'notification';
  if (typeof type !== 'string' || !INBOX_NAME_PATTERN.test(type)) throw new HttpStatusError(400, 'bad-event', 'type must be 1-64 of A-Z a-z 0-9 _ . : -.');
  const checked: { -readonly [K in keyof NewInboxItem]: NewInboxItem[K] } & { category: string } = {
    type,
    data: notification['data'],
    time: 0,
    category: notification['category'] === undefined ? type : name(notification['category'], 'category'),
  };
  const { severity, avatar, actor, group } = notification;
  if (severity !== undefined) {
    if (!INBOX_SEVERITIES.includes(severity as InboxSeverity)) refuse('severity', `must be one of ${INBOX_SEVERITIES.join(', ')}.`);
    checked.severity = severity as InboxSeverity;
  }
  if (avatar !== undefined) checked.avatar = httpUrl(avatar, 'avatar');
  if (actor !== undefined) checked.actor = text(actor, 'actor', INBOX_LABEL_MAX);
  if (notification['actions'] !== undefined) {
    const list = actions(notification['actions']);
    if (list.length > 0) checked.actions = list;
  }
  if (group !== undefined) checked.group = text(group, 'group', GROUP_MAX);
  const { time: _time, ...item } = checked;
  return item;
}
