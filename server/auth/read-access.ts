import { channelMatches } from '../../src/protocol/channel.js';

/**
 * Channels whose events the server itself writes, each a namespace of its
 * own: `presence:<channel>` (who reads a channel) and `inbox:<user>` (one
 * user's notifications). Nobody sends to them, and no wildcard reads them.
 */
export const RESERVED_PREFIXES = ['presence:', 'inbox:'] as const;

export function reservedPrefix(channel: string): (typeof RESERVED_PREFIXES)[number] | undefined {
  return RESERVED_PREFIXES.find((prefix) => channel.startsWith(prefix));
}

/**
 * Whether `pattern` lets its holder read `channel`. A reserved channel is
 * reached only by a pattern that spells its prefix (`presence:room.*`,
 * `inbox:*`): a site that hands out `*` or `in*` for "every channel of the
 * app" means its own channels, not every user's inbox.
 */
export function patternReads(pattern: string, channel: string): boolean {
  const reserved = reservedPrefix(channel);
  if (reserved !== undefined && !pattern.startsWith(reserved)) return false;
  return channelMatches(pattern, channel);
}

export function readAllowed(patterns: readonly string[], channel: string): boolean {
  return patterns.some((pattern) => patternReads(pattern, channel));
}
