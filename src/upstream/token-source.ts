/**
 * Where the user's token comes from: the token itself, or a function that
 * returns one. A function is called for each request, so it may hand out a
 * fresh token after an expiry.
 */
export type TokenSource = string | (() => string | Promise<string>);

/** The token `source` gives now (a function's throw or rejection is the caller's to report). */
export async function resolveToken(source: TokenSource | undefined): Promise<string | undefined> {
  return (typeof source === 'function' ? await source() : source) ?? undefined;
}
