/**
 * Web Push's JSON, shared by the server, the SDK and the service worker
 * (PROTOCOL.md, Push). A device is one browser profile: its id is made by
 * the SDK once and kept in the browser's storage.
 */

/** What `PushSubscription.toJSON()` gives, as the server stores it. */
export interface PushSubscriptionJson {
  readonly endpoint: string;
  readonly expirationTime?: number | null;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** `GET {base}/push/key`: the server's VAPID public key (base64url, uncompressed P-256 point) for `applicationServerKey`. */
export interface PushKeyAnswerJson {
  readonly publicKey: string;
}

/** `POST {base}/push/subscriptions` */
export interface PushSubscribeRequestJson {
  readonly device: string;
  readonly subscription: PushSubscriptionJson;
}

/** `GET {base}/push/subscriptions`: the user's devices, each with its push service's origin only. */
export interface PushDevicesAnswerJson {
  readonly devices: ReadonlyArray<{ readonly device: string; readonly service: string; readonly updated: number }>;
}

/** `POST {base}/push/visibility`: whether any tab of the device is visible now. */
export interface PushVisibilityRequestJson {
  readonly device: string;
  readonly visible: boolean;
}

/** An item shown as a system notification; small, since push services take about 4 KB. */
export interface PushNotificationMessage {
  readonly kind: 'notification';
  readonly id: number;
  /**
   * The notification's tag: a newer push with the same tag replaces the one
   * shown. An item's own (`pushTag`), or its group's, so a group that grew
   * never shows twice on a device.
   */
  readonly tag: string;
  /** The item this one takes the place of (a group that grew, a snooze that ended): its notification is closed. */
  readonly replaces?: number;
  readonly title: string;
  readonly body?: string;
  readonly icon?: string;
  readonly category: string;
  readonly time: number;
  /** The item's actions: `action` is the action id. */
  readonly actions?: ReadonlyArray<{ readonly action: string; readonly title: string; readonly url?: string }>;
}

/** The item was read elsewhere: close its notifications (by tag). */
export interface PushWithdrawMessage {
  readonly kind: 'withdraw';
  readonly ids: readonly number[];
}

export type PushMessage = PushNotificationMessage | PushWithdrawMessage;

/** 8-64 of A-Z a-z 0-9 _ - : the SDK makes a random one per browser. */
export const PUSH_DEVICE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const PUSH_ENDPOINT_MAX = 2048;
export const PUSH_DEVICES_MAX = 20;

/** A tag the service worker accepts from a push: its own prefix, short, no other app's notification. */
export const PUSH_TAG_PATTERN = /^comet-[A-Za-z0-9_-]{1,64}$/;

/** The tag of an item's notification, shared by the server (in the payload) and the service worker (to close it). */
export function pushTag(id: number): string {
  return `comet-inbox-${id}`;
}
