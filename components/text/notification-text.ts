import type { CometEvent } from '../../src/protocol/messages.js';
import { safeHttpUrl } from './safe-url.js';
import { summarize } from './summarize.js';

/** Title, body and link of a notification-like event; the link only when it is http(s). */
export function notificationText(event: CometEvent): { title: string; body: string; url: string | undefined } {
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { title: summarize(data), body: '', url: undefined };
  const record = data as Record<string, unknown>;
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) if (typeof record[key] === 'string' && record[key] !== '') return (record[key] as string).slice(0, 500);
    return undefined;
  };
  const title = pick('title', 'subject') ?? summarize(data);
  const body = pick('message', 'body', 'text') ?? '';
  return { title, body: body === title ? '' : body, url: safeHttpUrl(record['url'] ?? record['href']) };
}
