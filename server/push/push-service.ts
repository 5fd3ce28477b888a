import { Agent } from 'node:https';
import { changeTargets, type InboxItem, type InboxTarget } from '../../src/protocol/inbox-protocol.js';
import {
  PUSH_DEVICE_PATTERN,
  PUSH_DEVICES_MAX,
  type PushDevicesAnswerJson,
  type PushMessage,
  type PushSubscriptionJson,
} from '../../src/protocol/push-protocol.js';
import { HttpStatusError } from '../http/http-error.js';
import { EndpointPolicy } from './endpoint-policy.js';
import { MemoryPushStore, type MemoryPushStoreOptions } from './memory-push-store.js';
import { notificationMessage, pushTopic } from './push-message.js';
import type { PushStore, StoredPushDevice } from './push-store.js';
import { checkVapidKeys, type VapidKeys } from './vapid.js';
import { loadWebPush } from './web-push-module.js';

export interface PushOptions extends MemoryPushStoreOptions {
  /** The server's VAPID keys and subject. Default: `COMET_VAPID_PUBLIC_KEY`, `COMET_VAPID_PRIVATE_KEY`, `COMET_VAPID_SUBJECT`; without keys, push is off. */
  readonly vapid?: VapidKeys;
  /** Where subscriptions live; by default in memory, or beside the inbox on a shared broker. */
  readonly store?: PushStore;
  /**
   * Push services besides the browsers' own: origins (trusted on any address) or host name
   * suffixes (public addresses only). Default: `COMET_PUSH_ALLOWED_ENDPOINTS`, comma-separated.
   */
  readonly allowedEndpoints?: readonly string[];
  /** How long a push service keeps a message for a device that is offline (s). Default 86400. */
  readonly ttlSeconds?: number;
  /** A device's "visible" report holds this long unless renewed (ms): a browser that crashed counts as not visible after it. Default 60000. */
  readonly visibleTtlMs?: number;
  /** After the last tab of a device is hidden, it still counts as visible for this long (ms): switching tabs for a moment pushes nothing. Default 3000. */
  readonly hiddenGraceMs?: number;
  /** Devices per user; one more replaces the one stored longest ago. Default 20. */
  readonly maxDevicesPerUser?: number;
  /** Longest wait for a push service (ms). Default 10000. */
  readonly timeoutMs?: number;
  /** Deliveries waiting in this process; past it new ones are dropped (and logged once). Default 10000. */
  readonly maxPending?: number;
  /** Certificates to trust for a private push service (PEM); the public ones need none. */
  readonly ca?: string | readonly string[];
}

/** `push` off: the routes say why. */
export const PUSH_OFF = new HttpStatusError(501, 'push-off', 'This server sends no Web Push: give it VAPID keys (COMET_VAPID_PUBLIC_KEY, COMET_VAPID_PRIVATE_KEY, COMET_VAPID_SUBJECT; make a pair with cometkit-server --vapid-keys).');

/** VAPID keys from options or the environment; undefined when none are set. */
export function vapidFrom(options: PushOptions | undefined, env: NodeJS.ProcessEnv = process.env): VapidKeys | undefined {
  if (options?.vapid) return checkVapidKeys(options.vapid);
  const publicKey = env['COMET_VAPID_PUBLIC_KEY'];
  const privateKey = env['COMET_VAPID_PRIVATE_KEY'];
  if (!publicKey && !privateKey) return undefined;
  if (!publicKey || !privateKey) throw new TypeError('cometkit server: set both COMET_VAPID_PUBLIC_KEY and COMET_VAPID_PRIVATE_KEY, or neither.');
  return checkVapidKeys({ publicKey, privateKey, subject: env['COMET_VAPID_SUBJECT'] ?? '' });
}

/**
 * Web Push for the inbox: each user's subscriptions, one per device, and
 * whether a tab of the device is visible. An item is pushed to the devices
 * without one (never twice: the tab shows it), and withdrawn from them when
 * it is read anywhere.
 */
export class PushService {
  readonly publicKey: string;
  readonly #vapid: VapidKeys;
  readonly #store: PushStore;
  readonly #policy: EndpointPolicy;
  readonly #agent: Agent;
  readonly #ttlSeconds: number;
  readonly #visibleTtlMs: number;
  readonly #graceMs: number;
  readonly #maxDevices: number;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  /** Each user's deliveries, one after the other: a withdraw never overtakes the push it withdraws. */
  readonly #queues = new Map<string, Promise<void>>();
  #pending = 0;
  #warnedFull = false;

  constructor(vapid: VapidKeys, options: PushOptions, env: NodeJS.ProcessEnv = process.env) {
    this.#vapid = vapid;
    this.publicKey = vapid.publicKey;
    this.#store = options.store ?? new MemoryPushStore(options);
    const allowed = options.allowedEndpoints ?? (env['COMET_PUSH_ALLOWED_ENDPOINTS'] ?? '').split(',').map((one) => one.trim()).filter(Boolean);
    this.#policy = new EndpointPolicy({ allowed });
    this.#ttlSeconds = options.ttlSeconds ?? 86_400;
    this.#visibleTtlMs = options.visibleTtlMs ?? 60_000;
    this.#graceMs = options.hiddenGraceMs ?? 3000;
    this.#maxDevices = options.maxDevicesPerUser ?? PUSH_DEVICES_MAX;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxPending = options.maxPending ?? 10_000;
    for (const [name, value] of [['ttlSeconds', this.#ttlSeconds], ['visibleTtlMs', this.#visibleTtlMs], ['maxDevicesPerUser', this.#maxDevices], ['timeoutMs', this.#timeoutMs], ['maxPending', this.#maxPending]] as const) {
      if (!Number.isFinite(value) || value < 1) throw new TypeError(`cometkit server: push ${name} must be a positive number, got ${value}.`);
    }
    if (!Number.isFinite(this.#graceMs) || this.#graceMs < 0) throw new TypeError(`cometkit server: push hiddenGraceMs must be 0 or more, got ${this.#graceMs}.`);
    const ca = options.ca === undefined ? undefined : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
    // The lookup checks every address a push host resolves to when the message is sent (DNS rebinding).
    this.#agent = new Agent({ keepAlive: true, maxSockets: 64, lookup: this.#policy.lookup as never, ...(ca ? { ca: [...(ca ?? [])] } : {}) });
  }

  /** Stores the device's subscription (`POST {base}/push/subscriptions`). */
  async subscribe(user: string, body: unknown): Promise<void> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badSubscription('Send {"device": "<id>", "subscription": <PushSubscription.toJSON()>}.');
    const { device, subscription } = body as Record<string, unknown>;
    const id = checkDevice(device);
    const checked = checkSubscription(subscription, this.#policy);
    await this.#store.put(user, { device: id, subscription: checked, updated: Date.now() }, this.#maxDevices);
  }

  /** Removes the device's subscription (`DELETE {base}/push/subscriptions?device=`). */
  async unsubscribe(user: string, device: unknown): Promise<boolean> {
    return this.#store.remove(user, checkDevice(device));
  }

  async devices(user: string): Promise<PushDevicesAnswerJson> {
    const devices = await this.#store.devices(user);
    return { devices: devices.map((one) => ({ device: one.device, service: new URL(one.subscription.endpoint).origin, updated: one.updated })) };
  }

  /** A device says whether a tab of it is visible (`POST {base}/push/visibility`). */
  async visibility(user: string, body: unknown): Promise<void> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpStatusError(400, 'bad-visibility', 'Send {"device": "<id>", "visible": true|false}.');
    const { device, visible } = body as Record<string, unknown>;
    const id = checkDevice(device);
    if (typeof visible !== 'boolean') throw new HttpStatusError(400, 'bad-visibility', '"visible" must be true or false.');
    await this.#store.setVisibleUntil(user, id, Date.now() + (visible ? this.#visibleTtlMs : this.#graceMs));
  }

  /** How long a "visible" report holds: the hub renews it well within. */
  get visibleTtlMs(): number {
    return this.#visibleTtlMs;
  }

  /**
   * A new inbox item the user's preferences allow to push: which devices get
   * it is decided now (those without a visible tab at this moment); the
   * sending is queued, and this resolves before it. With `replaces` (a group
   * that grew, a snooze that ended), the earlier item's push is taken back
   * where it went: the new push closes it, and a device that does not get the
   * new one (a tab of it is visible now) gets a silent withdraw.
   */
  async itemAdded(user: string, item: InboxItem, replaces?: number): Promise<void> {
    const now = Date.now();
    const [devices, visible] = await Promise.all([this.#store.devices(user), this.#store.visible(user, now)]);
    const targets = devices.filter((one) => !visible.has(one.device));
    if (targets.length === 0 && replaces === undefined) return;
    void this.#enqueue(user, async () => {
      // Taken in the queue: the earlier item's own push, queued before, has been recorded by now.
      const taken = replaces === undefined ? undefined : (await this.#store.takePushed(user, (id) => id === replaces, Date.now())).get(replaces);
      const earlier = taken?.devices ?? [];
      const urgency = item.severity === 'error' || item.severity === 'warning' ? 'high' : 'normal';
      const message = notificationMessage(item, earlier.length > 0 ? replaces : undefined);
      const sent = await Promise.all(targets.map((one) => this.#send(user, one, message, pushTopic(item), urgency)));
      const reached = targets.filter((_, i) => sent[i]).map((one) => one.device);
      if (reached.length > 0) await this.#store.markPushed(user, item.id, reached, Date.now() + this.#ttlSeconds * 1000, pushTopic(item));
      const stale = devices.filter((one) => earlier.includes(one.device) && !targets.includes(one));
      // The earlier push's own topic: a copy the service still holds for the device is replaced by the withdraw.
      const staleTopic = taken?.topic ?? pushTopic({ id: replaces! });
      await Promise.all(stale.map((one) => this.#send(user, one, { kind: 'withdraw', ids: [replaces!] }, staleTopic, 'normal')));
    });
  }

  /** Items read, archived or snoozed: their pushes are withdrawn from the devices they went to. */
  itemsDone(user: string, target: InboxTarget): Promise<void> {
    return this.#enqueue(user, async () => {
      const taken = await this.#store.takePushed(user, (id) => changeTargets(target, id), Date.now());
      if (taken.size === 0) return;
      const perDevice = new Map<string, number[]>();
      for (const [id, { devices }] of taken) for (const device of devices) perDevice.set(device, [...(perDevice.get(device) ?? []), id]);
      const devices = await this.#store.devices(user);
      await Promise.all(
        devices
          .filter((one) => perDevice.has(one.device))
          .map((one) => {
            const ids = perDevice.get(one.device)!.sort((a, b) => a - b);
            // One item: the topic it was pushed under (its group's, or its own) replaces its push where the service still holds it.
            const only = ids.length === 1 ? ids[0]! : undefined;
            return this.#send(user, one, { kind: 'withdraw', ids }, only === undefined ? undefined : (taken.get(only)?.topic ?? pushTopic({ id: only })), 'normal');
          }),
      );
    });
  }

  /** Resolves when every delivery queued so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  async close(): Promise<void> {
    await this.settled();
    this.#agent.destroy();
    await this.#store.close();
  }

  #enqueue(user: string, work: () => Promise<void>): Promise<void> {
    if (this.#pending >= this.#maxPending) {
      if (!this.#warnedFull) console.warn(`cometkit server: ${this.#maxPending} push deliveries are waiting (push maxPending); new ones are dropped until they drain.`);
      this.#warnedFull = true;
      return Promise.resolve();
    }
    this.#pending += 1;
    const previous = this.#queues.get(user) ?? Promise.resolve();
    const run = previous
      .then(work)
      .catch((error: unknown) => console.error('cometkit server: a push delivery failed', error instanceof Error ? error.message : error))
      .finally(() => {
        this.#pending -= 1;
        if (this.#pending < this.#maxPending / 2) this.#warnedFull = false;
        if (this.#queues.get(user) === run) this.#queues.delete(user);
      });
    this.#queues.set(user, run);
    return run;
  }

  /** Sends one message; true when the push service took it. A subscription it says is gone, or one now refused, is removed. */
  async #send(user: string, device: StoredPushDevice, message: PushMessage, topicName: string | undefined, urgency: 'normal' | 'high'): Promise<boolean> {
    const { subscription } = device;
    try {
      // Checked again at sending: the allow-list may have changed since the subscription was stored.
      this.#policy.check(subscription.endpoint);
    } catch {
      await this.#store.remove(user, device.device, subscription.endpoint);
      return false;
    }
    const webPush = await loadWebPush();
    try {
      await webPush.sendNotification(subscription as never, JSON.stringify(message), {
        vapidDetails: { subject: this.#vapid.subject, publicKey: this.#vapid.publicKey, privateKey: this.#vapid.privateKey },
        TTL: this.#ttlSeconds,
        urgency,
        ...(topicName ? { topic: topicName } : {}),
        agent: this.#agent,
        timeout: this.#timeoutMs,
        contentEncoding: 'aes128gcm',
      });
      return true;
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      const code = (error as { code?: unknown }).code;
      if (status === 404 || status === 410 || code === 'push-endpoint-private') {
        // Gone for good (the user revoked it, or the browser dropped it), or a host that now resolves privately.
        await this.#store.remove(user, device.device, subscription.endpoint);
        return false;
      }
      console.error(`cometkit server: push to ${new URL(subscription.endpoint).origin} failed (${typeof status === 'number' ? status : (error as Error).message}); the item stays in the inbox.`);
      return false;
    }
  }
}

function checkDevice(device: unknown): string {
  if (typeof device !== 'string' || !PUSH_DEVICE_PATTERN.test(device)) throw new HttpStatusError(400, 'bad-device', '"device" must be 8-64 of A-Z a-z 0-9 _ - (the SDK makes one per browser).');
  return device;
}

function badSubscription(message: string): HttpStatusError {
  return new HttpStatusError(400, 'bad-subscription', message);
}

/** A subscription as `PushSubscription.toJSON()` gives it: the endpoint allowed, the keys of the right sizes. */
export function checkSubscription(subscription: unknown, policy: EndpointPolicy): PushSubscriptionJson {
  if (typeof subscription !== 'object' || subscription === null || Array.isArray(subscription)) throw badSubscription('"subscription" must be PushSubscription.toJSON(): {endpoint, keys: {p256dh, auth}}.');
  const { endpoint, keys, expirationTime } = subscription as Record<string, unknown>;
  const url = policy.check(endpoint);
  if (typeof keys !== 'object' || keys === null) throw badSubscription('"subscription.keys" must be {p256dh, auth}.');
  const { p256dh, auth } = keys as Record<string, unknown>;
  const bytes = (value: unknown): Buffer | undefined => (typeof value === 'string' && /^[A-Za-z0-9_-]+={0,2}$/.test(value) && value.length <= 128 ? Buffer.from(value, 'base64url') : undefined);
  const key = bytes(p256dh);
  if (!key || key.length !== 65 || key[0] !== 4) throw badSubscription('"subscription.keys.p256dh" must be a base64url P-256 public key (65 bytes).');
  const secret = bytes(auth);
  if (!secret || secret.length !== 16) throw badSubscription('"subscription.keys.auth" must be a base64url 16-byte secret.');
  if (expirationTime !== undefined && expirationTime !== null && !Number.isSafeInteger(expirationTime)) throw badSubscription('"subscription.expirationTime" must be a time in ms or null.');
  void url;
  // Stored as the browser gave it: an endpoint is opaque to everyone but its push service.
  return { endpoint: endpoint as string, keys: { p256dh: p256dh as string, auth: auth as string }, ...(typeof expirationTime === 'number' ? { expirationTime } : {}) };
}
