/** What a client does when its page changes state. */
export interface PageLifecycleHandlers {
  /** The page became visible or came back online: the hub should re-check its deadlines now. */
  wake(): void;
  /** The page was restored from the back/forward cache after saying goodbye: join the hub again. */
  rejoin(): void;
  /** The page is being hidden for good or put in the back/forward cache: say goodbye. */
  leave(): void;
}

/**
 * The page lifecycle of one client, in one place: which page events wake
 * the hub, rejoin it or leave it. Returns the function that stops watching.
 * Outside a page (a worker, server-side rendering) there is nothing to watch.
 */
export function watchPageLifecycle(handlers: PageLifecycleHandlers): () => void {
  if (typeof window !== 'object' || window === null) return () => {};
  const onWake = (event: Event): void => {
    if (event.type === 'visibilitychange' && document.visibilityState !== 'visible') return;
    if (event.type === 'pageshow' && (event as PageTransitionEvent).persisted) {
      // Restored from the back/forward cache after saying goodbye: join again, from what this tab has.
      handlers.rejoin();
      return;
    }
    handlers.wake();
  };
  const watching = new AbortController();
  const { signal } = watching;
  document.addEventListener('visibilitychange', onWake, { signal });
  window.addEventListener('pageshow', onWake, { signal });
  window.addEventListener('online', onWake, { signal });
  window.addEventListener('pagehide', () => handlers.leave(), { signal });
  return () => watching.abort();
}
