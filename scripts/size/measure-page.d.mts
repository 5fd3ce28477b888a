import type { Measured } from './measure.mjs';
/** Opens `html` in Chromium, served with dist/ by the reference server; every script it fetches. */
export function measurePage(html: string, options?: { timeoutMs?: number }): Promise<Measured>;
