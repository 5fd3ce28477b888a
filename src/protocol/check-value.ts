/**
 * Frames come from the network, possibly through proxies that mangle them:
 * each is checked field by field before anything trusts it. Every check
 * returns the parsed value, or a string saying what was wrong.
 */
export type Checked<T> = T | string;

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function finiteNumber(value: unknown): value is number {
  // Number.isFinite, unlike the global isFinite, is false for anything but a number.
  return Number.isFinite(value);
}

