/**
 * True in the development build (`development` export condition, dist/dev/),
 * where cometkit warns and explains; false in the production build, where
 * the minifier drops what depends on it. Also false when the sources run
 * unbundled (Node tests), where nothing defines `__DEV__`.
 */
export const DEV: boolean = typeof __DEV__ !== 'undefined' && __DEV__;

/**
 * Why a message that crossed a port was dropped. Whoever receives it drops
 * what it cannot read whatever the reason, so only the development build
 * (and the tests) carry the reasons; production says "dropped". A reason
 * may quote what was received, so it is cut short here, where production
 * does not reach: a call site that cut it would leave that call behind.
 */
export const dropped = (reason: string): string => (DEV ? reason.slice(0, 120) : 'dropped');

/**
 * How to fix an error, appended to its message in the development build
 * only: production keeps the error's `code` and what went wrong (each named
 * in README "Errors") and leaves the advice out of every page's download.
 */
export const advice = (text: string): string => (DEV ? ` ${text}` : '');

/**
 * A development-build warning, with a code to search for: `cometkit
 * [code]: message`. The production build drops the call and its message.
 */
export function warn(code: string, message: string): void {
  if (DEV) console.warn(`cometkit [${code}]: ${message}`);
}
