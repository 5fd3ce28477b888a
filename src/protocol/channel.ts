/**
 * Channel names travel in URLs, cursors and SSE ids, so they are kept to a
 * character set that needs no escaping rules of its own: `,` and `=` separate
 * cursor entries, and a wildcard `*` is reserved for token channel patterns.
 */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_.:@/-]{1,128}$/;

export function isValidChannel(channel: unknown): channel is string {
  return typeof channel === 'string' && CHANNEL_PATTERN.test(channel);
}

/**
 * A pattern is an exact channel name, or a prefix ending in `*`
 * (`user:42:*`), or `*` alone for every channel.
 */
export function channelMatches(pattern: string, channel: string): boolean {
  if (pattern.endsWith('*')) return channel.startsWith(pattern.slice(0, -1));
  return pattern === channel;
}

export function channelAllowed(patterns: readonly string[], channel: string): boolean {
  return patterns.some((pattern) => channelMatches(pattern, channel));
}
