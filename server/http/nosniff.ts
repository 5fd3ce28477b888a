/**
 * Every answer carries nosniff (SECURITY.md). Each response writes it with
 * its status line rather than through `setHeader()` up front: a header set
 * that way is kept on the response object for as long as it lives, and a
 * held stream lives for hours, ten thousand at a time.
 */
export const NOSNIFF = { 'X-Content-Type-Options': 'nosniff' } as const;
