import { lockName, locks } from './tab-lock.js';

/** The hub's side of the tab locks (see tab-lock.ts): apart, so a page whose hub runs elsewhere does not carry it. */
/** Resolves when the tab's lock is free: the tab closed, crashed or said goodbye. */
export async function watchTabLock(tab: string, signal: AbortSignal): Promise<void> {
  const manager = locks();
  if (!manager) return new Promise<void>(() => {});
  await manager.request(lockName(tab), { signal }, () => undefined);
}
