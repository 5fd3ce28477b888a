import type { PushSubscriptionJson } from '../../src/protocol/push-protocol.js';

export interface StoredPushDevice {
  readonly device: string;
  readonly subscription: PushSubscriptionJson;
  /** When it was last stored (ms). */
  readonly updated: number;
}

/** An item pushed: to which devices, and under which topic (a withdraw goes under the same, to replace a push still held). */
export interface PushedItem {
  readonly devices: readonly string[];
  readonly topic?: string;
}

/**
 * Each user's push subscriptions (one per device), which devices have a
 * visible tab, and which items were pushed where (to withdraw them once
 * read). The memory store serves one process; the Redis store shares it
 * between several, beside the inbox.
 */
export interface PushStore {
  /** Stores or replaces the device's subscription; past `maxDevices`, the device stored longest ago goes. */
  put(user: string, device: StoredPushDevice, maxDevices: number): Promise<void>;
  /** Removes the device's subscription; with `endpoint`, only while it is still that one (a 410 for a subscription since renewed removes nothing). */
  remove(user: string, device: string, endpoint?: string): Promise<boolean>;
  devices(user: string): Promise<readonly StoredPushDevice[]>;
  /** Until when (server ms) the device counts as showing its tabs. */
  setVisibleUntil(user: string, device: string, until: number): Promise<void>;
  /** Devices with a visible tab at `now`. */
  visible(user: string, now: number): Promise<ReadonlySet<string>>;
  /** Remembers that item `id` was pushed to `devices` under `topic` until `expires` (the push's TTL). */
  markPushed(user: string, id: number, devices: readonly string[], expires: number, topic?: string): Promise<void>;
  /** Takes (and forgets) the pushed items that `matches` accepts, with their devices and topic. */
  takePushed(user: string, matches: (id: number) => boolean, now: number): Promise<ReadonlyMap<number, PushedItem>>;
  close(): Promise<void>;
}

/** Pushed items remembered per user for withdrawing; older ones are forgotten (their notifications stay until the user acts). */
export const PUSHED_ITEMS_MAX = 50;
