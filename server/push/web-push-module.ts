import { isMissing, MissingDependencyError } from '../optional-dependency.js';

export type WebPush = typeof import('web-push');
let webPush: Promise<WebPush> | undefined;

/**
 * web-push is an optional peer dependency (ARCHITECTURE.md, "Packaging"):
 * loaded the first time a push is sent, so a server without VAPID keys runs
 * without it, and one with keys says what to install.
 */
export function loadWebPush(): Promise<WebPush> {
  webPush ??= import('web-push')
    .then((module) => ((module as { default?: WebPush }).default ?? module) as WebPush)
    .catch((error: unknown) => {
      webPush = undefined;
      throw isMissing(error, 'web-push') ? new MissingDependencyError('web-push', 'Web Push (VAPID keys, COMET_VAPID_PUBLIC_KEY)', error) : error;
    });
  return webPush;
}
