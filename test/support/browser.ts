import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots land here so a person (and CI's artifacts) can look at the pages. */
export const ARTIFACTS_DIR = 'test-artifacts';

/**
 * Debian's Chromium, headless. There is no fallback download: without it the browser tests fail
 * (CI installs it with `apt-get install -y chromium`), never skip.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
