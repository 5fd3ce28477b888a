/**
 * The worker build's EventSource (see rollup.config.mjs): the polyfill needs
 * a window, which a worker never has, so there EventSource is native or
 * there is none and the ladder moves on to long-poll.
 */
import type { OpenEventSource } from './load-event-source.js';

export function canUseEventSource(): boolean {
  return typeof EventSource === 'function';
}

export function loadEventSource(): Promise<OpenEventSource> {
  return Promise.resolve((url, withCredentials) => new EventSource(url, { withCredentials }));
}
