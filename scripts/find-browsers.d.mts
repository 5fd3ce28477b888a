/** Types for find-browsers.mjs, so TypeScript callers (benchmarks, tests) get checked. */
export type BrowserName = 'chromium' | 'firefox' | 'webkit';
export const BROWSER_NAMES: readonly BrowserName[];
export interface FoundBrowsers {
  chromium?: string;
  firefox?: string;
  /** WebKitGTK's MiniBrowser. */
  webkit?: string;
}
export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}
export function findBrowser(name: BrowserName, options?: FindOptions): string | undefined;
export function findWebKitDriver(options?: FindOptions): string | undefined;
export function findXvfbRun(options?: FindOptions): string | undefined;
export function findBrowsers(options?: FindOptions): Promise<FoundBrowsers>;
export function missingMessage(missing: readonly BrowserName[], platform?: NodeJS.Platform): string;
export function ensureBrowsers(need?: readonly BrowserName[], options?: { install?: boolean }): Promise<Required<FoundBrowsers>>;
export const CHROMIUM_FLAGS: readonly string[];
