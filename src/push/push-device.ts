/** Where the browser keeps its push device id (set by `client.push.subscribe()`), read by every tab. */
export const PUSH_DEVICE_KEY = 'cometkit:push-device';

/** This browser's push device id, or null when it never subscribed (or storage is off). */
export function pushDevice(): string | null {
  try {
    return globalThis.localStorage?.getItem(PUSH_DEVICE_KEY) ?? null;
  } catch {
    return null;
  }
}
