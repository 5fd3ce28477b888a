import type { InboxItemJson } from '../../src/protocol/inbox-protocol.js';
import { pushTag, type PushNotificationMessage } from '../../src/protocol/push-protocol.js';

/** Push services take about 4 KB of payload after encryption: the JSON stays well below. */
export const PUSH_PAYLOAD_MAX = 3000;

/** The item's body as plain text: a system notification shows no formatting, so the markers go. */
function plain(text: string): string {
  return text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*|`/g, '').replace(/(^|\s)_([^_]+)_(?=\s|$)/g, '$1$2');
}

/** What a device shows for an item: title, body, icon and actions from the item, cut to fit a push. */
export function notificationMessage(item: InboxItemJson): PushNotificationMessage {
  const data = (typeof item.data === 'object' && item.data !== null ? item.data : {}) as Record<string, unknown>;
  const title = typeof data['title'] === 'string' && data['title'].trim() !== '' ? data['title'].slice(0, 200) : item.type;
  const body = typeof data['body'] === 'string' ? plain(data['body']) : undefined;
  const message: PushNotificationMessage = {
    kind: 'notification',
    id: item.id,
    tag: pushTag(item.id),
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
