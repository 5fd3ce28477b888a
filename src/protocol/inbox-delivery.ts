import type { InboxDelivery, InboxDeliveryChannel, InboxPreferences } from './inbox-protocol.js';

/**
 * Which channels a category's notifications reach: read by the server when
 * it delivers and by `<comet-preferences>` when it shows them. A module of
 * its own, apart from the inbox's wire declarations, because the elements'
 * bundle runs only this: with inbox-protocol.ts, which the lazily loaded
 * inbox shares, it made a chunk every page with the elements fetched.
 */

export const INBOX_DELIVERY_CHANNELS: readonly InboxDeliveryChannel[] = ['inbox', 'toast', 'push'];

/** What a category gets under `preferences`, critical categories reaching everything. */
export function delivery(preferences: InboxPreferences, critical: readonly string[], category: string): InboxDelivery {
  if (critical.includes(category)) return { inbox: true, toast: true, push: true };
  if (!preferences.enabled) return { inbox: false, toast: false, push: false };
  // Own keys only: a category named "constructor" is not Object.prototype's.
  return Object.hasOwn(preferences.categories, category) ? preferences.categories[category]! : { inbox: true, toast: true, push: true };
}
