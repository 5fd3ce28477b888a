import { createHash } from 'node:crypto';
import type { InboxItem } from '../../src/protocol/inbox-protocol.js';
import { pushTag, type PushNotificationMessage } from '../../src/protocol/push-protocol.js';

/** Push services take about 4 KB of payload after encryption: the JSON stays well below. */
export const PUSH_PAYLOAD_MAX = 3000;

/** The item's body as plain text: a system notification shows no formatting, so the markers go. */
function plain(text: string): string {
  return text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*|`/g, '').replace(/(^|\s)_([^_]+)_(?=\s|$)/g, '$1$2');
}

/** A group key as 22 base64url characters: group keys are the application's text, tags and topics are short and plain. */
function groupDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/**
 * The topic of an item's pushes (RFC 8030 §5.4: at most 32 base64url
 * characters): a newer push with the same topic replaces one the push
 * service still holds. A group's items share one, so a device that was
 * offline while the group grew receives only its newest item.
 */
export function pushTopic(item: Pick<InboxItem, 'id' | 'group'>): string {
  return item.group ? `group-${groupDigest(item.group.key)}` : `item-${item.id}`;
}

/** The tag of an item's system notification: a group's items share one, so the device shows the group once. */
export function notificationTag(item: Pick<InboxItem, 'id' | 'group'>): string {
  return item.group ? `comet-group-${groupDigest(item.group.key)}` : pushTag(item.id);
}

/**
 * What a device shows for an item: title, body, icon and actions from the
 * item, cut to fit a push; with `replaces`, the earlier item whose
 * notification this one takes the place of.
 */
export function notificationMessage(item: InboxItem, replaces?: number): PushNotificationMessage {
  const data = (typeof item.data === 'object' && item.data !== null ? item.data : {}) as Record<string, unknown>;
  const title = typeof data['title'] === 'string' && data['title'].trim() !== '' ? data['title'].slice(0, 200) : item.type;
  const body = typeof data['body'] === 'string' ? plain(data['body']) : undefined;
  const message: PushNotificationMessage = {
    kind: 'notification',
    id: item.id,
    tag: notificationTag(item),
    ...(replaces !== undefined ? { replaces } : {}),
    title,
    category: item.category,
    time: item.time,
    ...(body ? { body: body.slice(0, 1000) } : {}),
    ...(item.avatar ? { icon: item.avatar } : {}),
    ...(item.actions?.length ? { actions: item.actions.map((one) => ({ action: one.id, title: one.label, ...(one.url ? { url: one.url } : {}) })) } : {}),
  };
  // Whatever the item holds, the push fits: the body shrinks first, then the icon and actions go.
  if (Buffer.byteLength(JSON.stringify(message)) <= PUSH_PAYLOAD_MAX) return message;
  const { icon: _icon, actions: _actions, ...small } = message;
  const room = PUSH_PAYLOAD_MAX - Buffer.byteLength(JSON.stringify({ ...small, body: '' }));
  let shrunk: PushNotificationMessage = { ...small, body: cut(body ?? '', Math.max(0, room)) };
  // JSON escapes (quotes, control characters) take more room than the text: cut again until it fits.
  while (Buffer.byteLength(JSON.stringify(shrunk)) > PUSH_PAYLOAD_MAX) shrunk = { ...shrunk, body: cut(shrunk.body!, Math.floor(Buffer.byteLength(shrunk.body!) * 0.8)) };
  return shrunk;
}

/** At most `bytes` of UTF-8, cut at a character boundary, with an ellipsis when cut. */
function cut(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = '';
  for (const char of text) {
    if (Buffer.byteLength(`${out}${char}…`) > bytes) break;
    out += char;
  }
  return `${out}…`;
}
