/**
 * `cometkit/sw`: the service worker side of Web Push (README, Push). An
 * app's service worker imports it and calls `cometServiceWorker()` once:
 *
 *   import { cometServiceWorker } from 'cometkit/sw';
 *   cometServiceWorker({ url: '/comet', app: '/' });
 *
 * It shows each pushed inbox item as a system notification, unless a
 * visible tab of the app is open (that tab shows it already); closes it
 * when the item was read elsewhere; and on a click focuses or opens the
 * app and marks the item read.
 */
import { PUSH_TAG_PATTERN, pushTag, type PushMessage, type PushNotificationMessage } from './protocol/push-protocol.js';

export interface CometServiceWorkerOptions {
  /** The cometkit server's base URL (as `createClient({ url })`). */
  readonly url: string;
  /** The page a click opens when no tab of the app is open. Default: the service worker's scope. */
  readonly app?: string;
  /** The user's token for marking the item read; without it the request carries the browser's cookies only. */
  readonly token?: () => Promise<string | null | undefined>;
  /** The user on a server without tokens (the client's `identity.user`). */
  readonly user?: string;
}

// The service worker global scope, as far as this file uses it (the project's lib is the DOM's).
interface WindowClientLike {
  readonly url: string;
  readonly visibilityState: DocumentVisibilityState;
  readonly focused: boolean;
  focus(): Promise<WindowClientLike>;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  readonly data: { text(): string } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: Notification;
  readonly action: string;
}
interface ServiceWorkerScopeLike {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<WindowClientLike | null>;
  };
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
}

/** What a notification keeps for its click: the item and its links. */
interface NotificationData {
  readonly cometkit: 1;
  readonly id: number;
  readonly links: Readonly<Record<string, string>>;
}

function parse(event: PushEventLike): PushMessage | undefined {
  try {
    const message = JSON.parse(event.data?.text() ?? '') as PushMessage;
    return message && (message.kind === 'notification' || message.kind === 'withdraw') ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Only http(s) links open: a pushed URL is data, and `javascript:` is not a place. */
function safeLink(url: string | undefined, base: string): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** What `cometServiceWorker` listens with, for an app that routes `push` and `notificationclick` itself. */
export interface CometServiceWorkerHandlers {
  /** Shows, withdraws or (a visible tab shows it) skips what a push carried. */
  push(message: PushMessage): Promise<void>;
  /** Closes the notification, marks its item read, and focuses or opens the app (or the action's link). */
  click(notification: Notification, action: string): Promise<void>;
}

export function cometServiceWorker(options: CometServiceWorkerOptions, scope: ServiceWorkerScopeLike = globalThis as unknown as ServiceWorkerScopeLike): CometServiceWorkerHandlers {
  const base = scope.registration.scope;
  const app = new URL(options.app ?? base, base).href;
  const server = new URL(options.url.replace(/\/+$/, ''), base).href;

  const appClients = async (): Promise<readonly WindowClientLike[]> =>
    (await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter((client) => client.url.startsWith(new URL(app).origin));

  const show = async (message: PushNotificationMessage): Promise<void> => {
    // The item it takes the place of goes in any case: shown beside it, it would be the same news twice.
    if (typeof message.replaces === 'number') await withdraw([message.replaces]);
    // A visible tab of the app shows the item itself: a system notification would be its duplicate.
    if ((await appClients()).some((client) => client.visibilityState === 'visible')) return;
    const links: Record<string, string> = {};
    for (const action of message.actions ?? []) {
      const link = safeLink(action.url, base);
      if (link) links[action.action] = link;
    }
    const data: NotificationData = { cometkit: 1, id: message.id, links };
    const icon = safeLink(message.icon, base);
    await scope.registration.showNotification(String(message.title), {
      tag: typeof message.tag === 'string' && PUSH_TAG_PATTERN.test(message.tag) ? message.tag : pushTag(message.id),
      ...(message.body ? { body: String(message.body) } : {}),
      ...(icon ? { icon } : {}),
      data,
      timestamp: message.time,
      // Actions are a Chromium feature; elsewhere the option is ignored and a click opens the app.
      ...({ actions: (message.actions ?? []).map((action) => ({ action: action.action, title: String(action.title) })) } as object),
    } as NotificationOptions);
  };

  // By the item each notification holds, and by its own tag: a group's notification has the group's tag.
  const withdraw = async (ids: readonly number[]): Promise<void> => {
    const tags = new Set(ids.map(pushTag));
    for (const notification of await scope.registration.getNotifications()) {
      const data = notification.data as NotificationData | undefined;
      if (tags.has(notification.tag) || (data?.cometkit === 1 && ids.includes(data.id))) notification.close();
    }
  };

  const markRead = async (id: number): Promise<void> => {
    const token = (await options.token?.()) ?? undefined;
    const target = new URL(`${server}/inbox/state`);
    if (options.user) target.searchParams.set('user', options.user);
    await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ ids: [id], read: true }),
      credentials: 'include',
    });
  };

  const push = (message: PushMessage): Promise<void> => (message.kind === 'withdraw' ? withdraw(message.ids) : show(message));

  const click = async (notification: Notification, action: string): Promise<void> => {
    const data = notification.data as NotificationData | undefined;
    if (data?.cometkit !== 1) return;
    notification.close();
    const link = data.links[action];
    const clients = await appClients();
    const target = link ? undefined : (clients.find((client) => client.focused) ?? clients[0]);
    // Browsers let a service worker focus or open a window only while it handles the click.
    const opened = (target ? target.focus() : scope.clients.openWindow(link ?? app)).catch(() => undefined);
    await Promise.all([markRead(data.id).catch(() => undefined), opened]);
  };

  scope.addEventListener('push', (event) => {
    const message = parse(event);
    if (message) event.waitUntil(push(message));
  });
  scope.addEventListener('notificationclick', (event) => {
    if ((event.notification.data as NotificationData | undefined)?.cometkit === 1) event.waitUntil(click(event.notification, event.action));
  });
  return { push, click };
}
