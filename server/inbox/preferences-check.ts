import { INBOX_CATEGORIES_MAX, INBOX_NAME_PATTERN, type InboxDelivery, type InboxPreferencesPatch } from '../../src/protocol/inbox-protocol.js';
import { INBOX_DELIVERY_CHANNELS } from '../../src/protocol/inbox-delivery.js';
import { HttpStatusError } from '../http/http-error.js';

const refuse = (message: string): never => {
  throw new HttpStatusError(400, 'bad-preferences', message);
};

/**
 * Checks a `PUT {base}/inbox/preferences` body. A patch that would mute a
 * critical category is refused whole (`400 critical-category`), so a form
 * learns at once that its switch does not hold.
 */
export function checkPreferencesPatch(body: unknown, critical: readonly string[]): InboxPreferencesPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('Send {"enabled"?: boolean, "categories"?: {"<category>": {"inbox"?, "toast"?, "push"?}}}.');
  const { enabled, categories } = body as Record<string, unknown>;
  const patch: { enabled?: boolean; categories?: Record<string, Partial<InboxDelivery>> } = {};
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean') refuse('"enabled" must be true or false.');
    patch.enabled = enabled as boolean;
  }
  if (categories !== undefined) {
    if (typeof categories !== 'object' || categories === null || Array.isArray(categories)) return refuse('"categories" must be an object of category → channels.');
    const entries = Object.entries(categories);
    if (entries.length > INBOX_CATEGORIES_MAX) refuse(`At most ${INBOX_CATEGORIES_MAX} categories per user.`);
    const checked: Array<[string, Partial<InboxDelivery>]> = [];
    for (const [category, channels] of entries) {
      if (!INBOX_NAME_PATTERN.test(category)) refuse(`Category "${category.slice(0, 64)}" must be 1-64 of A-Z a-z 0-9 _ . : -.`);
      if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) return refuse(`"${category}" must be {"inbox"?, "toast"?, "push"?} with true or false.`);
      const one: Partial<Record<keyof InboxDelivery, boolean>> = {};
      for (const channel of INBOX_DELIVERY_CHANNELS) {
        const value = (channels as Record<string, unknown>)[channel];
        if (value === undefined) continue;
        if (typeof value !== 'boolean') refuse(`"${category}.${channel}" must be true or false.`);
        if (value === false && critical.includes(category)) {
          throw new HttpStatusError(400, 'critical-category', `"${category}" is critical for this application and cannot be muted.`);
        }
        one[channel] = value as boolean;
      }
      checked.push([category, one]);
    }
    // fromEntries defines each key as an own property: "__proto__" stays a category, not a prototype.
    patch.categories = Object.fromEntries(checked);
  }
  return patch;
}
