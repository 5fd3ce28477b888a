import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowsers } from '../../scripts/find-browsers.mjs';

/** The system's Chromium (the same one the browser tests use), headless, with the test flags. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await findBrowsers();
  if (!chromium) throw new Error('Benchmarks need Chromium: install it (Debian: apt-get install chromium).');
  return puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS] });
}
