/**
 * Which engine runs the test page, for the few tests that must differ by
 * engine (a capability the driver lacks, a documented engine behaviour).
 * Read from the user agent, which each of the three sets distinctly.
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

export function engine(userAgent = navigator.userAgent): Engine {
  if (userAgent.includes('Firefox/')) return 'firefox';
  if (userAgent.includes('Chrome/') || userAgent.includes('Chromium/')) return 'chromium';
  return 'webkit';
}
