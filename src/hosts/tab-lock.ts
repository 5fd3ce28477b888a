/**
 * Tabs that vanish without a goodbye (crash, kill, a removed iframe) are
 * noticed through Web Locks: each tab holds `cometkit-tab:<id>` for its whole
 * life, and the hub requests the same lock. The browser grants the hub's
 * request only when the tab's hold ends, which it does when the tab's
 * document goes away for whatever reason. This works in a SharedWorker too,
 * which has no other way to learn that a MessagePort's owner is gone.
 */

export function locks(): LockManager | undefined {
  return typeof navigator === 'object' && navigator !== null && 'locks' in navigator ? navigator.locks : undefined;
}

export const lockName = (tab: string): string => `cometkit-tab:${tab}`;

/**
 * Takes this tab's lock and keeps it until `release` is called or the tab
 * goes. Resolves once the lock is held, so that a hub watching it cannot be
 * granted it before the tab had it.
 */
export async function holdTabLock(tab: string): Promise<() => void> {
  const manager = locks();
  if (!manager) return () => {};
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  try {
    await new Promise<void>((held, refused) => {
      manager.request(lockName(tab), () => {
        held();
        return released;
      }).catch(refused);
    });
  } catch {
    // Opaque origins (sandboxed frames, file:) refuse locks; only a goodbye will release this tab then.
    return () => {};
  }
  return release;
}

export function hasLocks(): boolean {
  return locks() !== undefined;
}
