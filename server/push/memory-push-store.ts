import { HttpStatusError } from '../http/http-error.js';
import { PUSHED_ITEMS_MAX, type PushStore, type StoredPushDevice, type PushedItem } from './push-store.js';

interface UserPush {
  readonly devices: Map<string, StoredPushDevice>;
  readonly visibleUntil: Map<string, number>;
  /** Item id → devices, topic and expiry; insertion order is id order. */
  readonly pushed: Map<number, PushedItem & { expires: number }>;
}

export interface MemoryPushStoreOptions {
  /** Users with subscriptions; a new one past it is refused (`507 push-full`). Default 100000. */
  readonly maxUsers?: number;
}

/** Push subscriptions for one process, bounded in users and in devices per user. */
export class MemoryPushStore implements PushStore {
  readonly #users = new Map<string, UserPush>();
  readonly #maxUsers: number;

  constructor(options: MemoryPushStoreOptions = {}) {
    this.#maxUsers = options.maxUsers ?? 100_000;
    if (!(this.#maxUsers >= 1)) throw new TypeError('cometkit server: push maxUsers must be at least 1.');
  }

  async put(user: string, device: StoredPushDevice, maxDevices: number): Promise<void> {
    const entry = this.#user(user, true)!;
    entry.devices.delete(device.device);
    entry.devices.set(device.device, device);
    // Map order is storing order: the first is the one stored longest ago.
    while (entry.devices.size > maxDevices) entry.devices.delete(entry.devices.keys().next().value!);
  }

  async remove(user: string, device: string, endpoint?: string): Promise<boolean> {
    const entry = this.#users.get(user);
    const stored = entry?.devices.get(device);
    if (!entry || !stored || (endpoint !== undefined && stored.subscription.endpoint !== endpoint)) return false;
    entry.devices.delete(device);
    entry.visibleUntil.delete(device);
    if (entry.devices.size === 0) this.#users.delete(user);
    return true;
  }

  async devices(user: string): Promise<readonly StoredPushDevice[]> {
    return [...(this.#users.get(user)?.devices.values() ?? [])];
  }

  async setVisibleUntil(user: string, device: string, until: number): Promise<void> {
    // Only devices with a subscription are tracked: a report for any other name holds no memory.
    const entry = this.#users.get(user);
    if (entry?.devices.has(device)) entry.visibleUntil.set(device, until);
  }

  async visible(user: string, now: number): Promise<ReadonlySet<string>> {
    const entry = this.#users.get(user);
    return new Set([...(entry?.visibleUntil ?? [])].filter(([, until]) => until > now).map(([device]) => device));
  }

  async markPushed(user: string, id: number, devices: readonly string[], expires: number, topic?: string): Promise<void> {
    const entry = this.#users.get(user);
    if (!entry) return;
    entry.pushed.set(id, { devices, expires, ...(topic ? { topic } : {}) });
    while (entry.pushed.size > PUSHED_ITEMS_MAX) entry.pushed.delete(entry.pushed.keys().next().value!);
  }

  async takePushed(user: string, matches: (id: number) => boolean, now: number): Promise<ReadonlyMap<number, PushedItem>> {
    const taken = new Map<number, PushedItem>();
    const entry = this.#users.get(user);
    if (!entry) return taken;
    for (const [id, { devices, expires, topic }] of entry.pushed) {
      if (expires <= now) entry.pushed.delete(id);
      else if (matches(id)) {
        taken.set(id, { devices, ...(topic ? { topic } : {}) });
        entry.pushed.delete(id);
      }
    }
    return taken;
  }

  async close(): Promise<void> {
    this.#users.clear();
  }

  #user(user: string, create: boolean): UserPush | undefined {
    let entry = this.#users.get(user);
    if (!entry && create) {
      if (this.#users.size >= this.#maxUsers) throw new HttpStatusError(507, 'push-full', 'This server holds as many push subscriptions as it may; try again later.');
      entry = { devices: new Map(), visibleUntil: new Map(), pushed: new Map() };
      this.#users.set(user, entry);
    }
    return entry;
  }
}
