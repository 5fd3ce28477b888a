import puppeteer, { type Browser } from 'puppeteer-core';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Benchmarks measure the library, not the throttling of background tabs.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchChromium(): Promise<Browser> {
  const { findBrowsers } = (await import('../../scripts/find-browsers.mjs')) as {
    findBrowsers(): Promise<{ chromium?: string }>;
  };
  const { chromium } = await findBrowsers();
  if (!chromium) throw new Error('Benchmarks need Chromium: install it (Debian: apt-get install chromium).');
  return puppeteer.launch({ executablePath: chromium, headless: true, args: CHROMIUM_FLAGS });
}
