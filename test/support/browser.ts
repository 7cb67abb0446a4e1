import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots land here so a person (and CI's artifacts) can look at the pages. */
export const ARTIFACTS_DIR = 'test-artifacts';
/** A host name that is not localhost (Chromium treats localhost as secure and forgives what a real host is not). */
export const TEST_HOST = 'scoring.test';

/**
 * Debian's Chromium, headless, with scoring.test resolving to this machine. There is no fallback
 * download: without it the browser tests fail (CI installs it with `apt-get install -y chromium`),
 * never skip.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--host-resolver-rules=MAP ${TEST_HOST} 127.0.0.1`,
    ],
  });
}

/** `http://127.0.0.1:PORT` as a person on another machine would type it: `http://scoring.test:PORT`. */
export function atTestHost(url: string): string {
  const parsed = new URL(url);
  parsed.hostname = TEST_HOST;
  return parsed.origin;
}

/**
 * Everything that went wrong while a page was open: failed requests, answers ≥ 400, console errors,
 * uncaught page errors, and any request to another origin than the page's own (the operator pages
 * must work offline). Tests assert the list is empty.
 */
export function watchProblems(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) problems.push(`outside request ${url}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`failed ${request.url()}: ${request.failure()?.errorText ?? 'unknown'}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}
