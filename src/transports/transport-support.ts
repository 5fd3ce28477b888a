/**
 * Whether each transport can run here, apart from the transports themselves:
 * the ladder asks before loading a transport it may never use.
 */
export { canUseEventSource as sseSupported } from './load-event-source.js';

/** A worker has no DOM: the ladder there skips the iframe transport (see PROTOCOL.md, transport ladder). */
export const iframeSupported = (): boolean =>
  typeof document !== 'undefined' && typeof window !== 'undefined' && typeof window.addEventListener === 'function';

export const longPollSupported = (): boolean => typeof fetch === 'function' && typeof AbortController === 'function';
