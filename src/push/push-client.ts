import { CometError } from '../errors/comet-error.js';
import { isHttpStatusError } from '../errors/http-status-error.js';
import { requestJson, type ServerAccess } from '../http/server-request.js';
import { PUSH_DEVICE_KEY } from './push-device.js';
import type { PushKeyAnswerJson } from '../protocol/push-protocol.js';

/**
 * `unsupported`: no service worker or Push API here (or an iOS page not
 * added to the home screen); `off`: the server sends no Web Push (it has no
 * VAPID keys); `denied`: the user blocked notifications; `prompt`: not
 * asked yet; `subscribed` / `unsubscribed`: this browser's subscription
 * with the server.
 */
export type PushState = 'unsupported' | 'off' | 'denied' | 'prompt' | 'subscribed' | 'unsubscribed';

export interface PushSubscribeOptions {
  /** The registration of the service worker that imports `cometkit/sw`. Default: `navigator.serviceWorker.ready`. */
  readonly registration?: ServiceWorkerRegistration;
}

export interface PushDeps extends ServerAccess {
  readonly user: string | undefined;
  /** Tells the hub this browser's visibility now that it has a device id. */
  readonly reportVisibility: () => void;
}

const supported = (): boolean => typeof navigator === 'object' && 'serviceWorker' in navigator && typeof PushManager === 'function' && typeof Notification === 'function';

function randomDevice(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * Each server's VAPID key, asked once per page (a key changes only with a
 * restart and new keys, which `subscribe` then finds); `undefined` when the
 * server sends no push. A failed request is not kept: it is asked again.
 */
const serverKeys = new Map<string, Promise<string | undefined>>();

function serverKey(access: ServerAccess): Promise<string | undefined> {
  let key = serverKeys.get(access.url);
  if (!key) {
    key = requestJson<PushKeyAnswerJson>(access, { method: 'GET', path: 'push/key', purpose: 'the push key' }).then(
      ({ body }) => body.publicKey,
      (error: unknown) => {
        if (isHttpStatusError(error) && error.code === 'push-off') return undefined;
        serverKeys.delete(access.url);
        throw error;
      },
    );
    serverKeys.set(access.url, key);
  }
  return key;
}

/** Web Push for this browser: the code behind `client.push`, loaded on first use. */
export class PushClient {
  readonly #deps: PushDeps;

  constructor(deps: PushDeps) {
    this.#deps = deps;
  }

  async state(options: PushSubscribeOptions = {}): Promise<PushState> {
    const { registration } = options;
    if (!supported()) return 'unsupported';
    if ((await serverKey(this.#deps)) === undefined) return 'off';
    if (Notification.permission === 'denied') return 'denied';
    if (Notification.permission === 'default') return 'prompt';
    const ready = registration ?? (await navigator.serviceWorker.getRegistration());
    const subscription = await ready?.pushManager.getSubscription();
    return subscription && localStorage.getItem(PUSH_DEVICE_KEY) ? 'subscribed' : 'unsubscribed';
  }

  /** `permission` was asked in the user's gesture, before this code loaded (browsers refuse to ask later). */
  async subscribe(options: PushSubscribeOptions = {}, permission: Promise<NotificationPermission> = Promise.resolve('denied')): Promise<PushState> {
    if (!supported()) throw new CometError('push-unsupported', 'This browser has no Web Push here (on iOS, add the app to the home screen first).');
    if ((await permission) !== 'granted') return Notification.permission === 'denied' ? 'denied' : 'prompt';
    const registration = options.registration ?? (await navigator.serviceWorker.ready);
    // Asked again, not cached: a server restarted with new keys needs a new subscription.
    serverKeys.delete(this.#deps.url);
    const publicKey = await serverKey(this.#deps);
    if (publicKey === undefined) return 'off';
    const key = keyBytes(publicKey);
    let subscription = await registration.pushManager.getSubscription();
    // A subscription made for another server key cannot be used: it is replaced.
    const current = subscription?.options.applicationServerKey;
    if (subscription && current && !new Uint8Array(current).every((byte, i) => byte === key[i])) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    const device = localStorage.getItem(PUSH_DEVICE_KEY) ?? randomDevice();
    await requestJson(this.#deps, {
      method: 'POST',
      path: 'push/subscriptions',
      query: { user: this.#deps.user },
      body: { device, subscription: subscription.toJSON() },
      purpose: 'the push subscription',
    });
    localStorage.setItem(PUSH_DEVICE_KEY, device);
    this.#deps.reportVisibility();
    return 'subscribed';
  }

  async unsubscribe(options: PushSubscribeOptions = {}): Promise<PushState> {
    const { registration } = options;
    if (!supported()) return 'unsupported';
    const device = localStorage.getItem(PUSH_DEVICE_KEY);
    const ready = registration ?? (await navigator.serviceWorker.getRegistration());
    await (await ready?.pushManager.getSubscription())?.unsubscribe();
    if (device) {
      await requestJson(this.#deps, { method: 'DELETE', path: 'push/subscriptions', query: { device, user: this.#deps.user }, purpose: 'removing the push subscription' });
      localStorage.removeItem(PUSH_DEVICE_KEY);
    }
    return 'unsubscribed';
  }
}
