import { createHash } from 'node:crypto';
import { isValidChannel } from '../../src/protocol/channel.js';

export const INBOX_PREFIX = 'inbox:';

/**
 * The channel carrying a user's inbox changes. A user id that is not a
 * valid channel suffix (spaces, `é`, 128 characters) is hashed, so every
 * user has one; clients learn the name from the inbox answers.
 */
export function inboxChannel(user: string): string {
  const plain = INBOX_PREFIX + user;
  if (isValidChannel(plain)) return plain;
  return `${INBOX_PREFIX}h.${createHash('sha256').update(user).digest('base64url').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32)}`;
}
