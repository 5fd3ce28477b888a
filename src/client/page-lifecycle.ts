/** What a client does when its page changes state. */
export interface PageLifecycleHandlers {
  /** The page became visible or came back online: the hub should re-check its deadlines now. */
  wake(): void;
  /** The page became visible or hidden. */
  visibility(): void;
  /** The page may come back (back/forward cache) or is frozen: leave the hub, keep subscriptions and positions. */
  suspend(): void;
  /** Back from the cache, or thawed: join a hub again, from what this tab has. */
  rejoin(): void;
  /** The page is going away for good: say goodbye. */
  leave(): void;
}

/**
 * The page lifecycle of one client, in one place: which page events wake
 * the hub, suspend this tab, bring it back, or end it. Returns the function
 * that stops watching. Outside a page (a worker, server-side rendering)
 * there is nothing to watch.
 */
export function watchPageLifecycle(handlers: PageLifecycleHandlers): () => void {
  if (typeof window !== 'object' || window === null) return () => {};
  const watching = new AbortController();
  const { signal } = watching;
  const onWake = (event: Event): void => {
    if (event.type === 'visibilitychange') handlers.visibility();
    if (event.type === 'visibilitychange' && document.visibilityState !== 'visible') return;
    if (event.type === 'pageshow' && (event as PageTransitionEvent).persisted) {
      handlers.rejoin();
      return;
    }
    handlers.wake();
  };
  document.addEventListener('visibilitychange', onWake, { signal });
  window.addEventListener('pageshow', onWake, { signal });
  window.addEventListener('online', onWake, { signal });
  window.addEventListener(
    'pagehide',
    // [HTML] `persisted` is true when the page may be kept in the back/forward cache: it may come back.
    (event) => (event.persisted ? handlers.suspend() : handlers.leave()),
    { signal },
  );
  // [Page Lifecycle] `freeze`/`resume` (Chromium): a frozen page runs nothing, so it leaves as if cached.
  document.addEventListener('freeze', () => handlers.suspend(), { signal });
  document.addEventListener('resume', () => handlers.rejoin(), { signal });
  return () => watching.abort();
}
