import { createHash } from 'node:crypto';
import { isValidChannel } from '../../src/protocol/channel.js';

export const INBOX_PREFIX = 'inbox:';
/** Marks a hashed id's channel: `inbox:h.<hash>`. */
const HASHED = 'h.';

/**
 * The channel carrying a user's inbox changes. A user id that is not a
 * valid channel suffix (spaces, `é`, 128 characters) is hashed, so every
 * user has one; clients learn the name from the inbox answers.
 *
 * An id that itself starts with `h.` is hashed too: otherwise the user
 * `h.<32 characters>` would own the channel another user's id hashes to,
 * and read that user's notifications. Hashed names are thus spelled by
 * the hash alone, and two users share a channel only if SHA-256 collides.
 */
export function inboxChannel(user: string): string {
  const plain = INBOX_PREFIX + user;
  if (!user.startsWith(HASHED) && isValidChannel(plain)) return plain;
  return `${INBOX_PREFIX}${HASHED}${createHash('sha256').update(user).digest('base64url').slice(0, 32)}`;
}
