import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Applicant } from '../../shared/applicant.js';
import { startPortfolioWorker, type PortfolioWorker } from '../../worker/portfolio-worker.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { ARTIFACTS_DIR, atTestHost, launchChromium, watchProblems } from '../support/browser.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { csvOf, obliteratePortfolioQueue } from '../portfolios/support.js';

const ADMIN = { username: 'operator', password: 'correct-horse-battery' };
const AUTHORIZATION = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
const CHUNK_ROWS = 300;
const CHUNKS = 8;
/** Each model run takes this much longer, so the picture catches the portfolio half done. */
const SLOW_RUN_MS = 1500;
/** Copied to docs/screenshots/ for the README and BENCHMARKS.md. */
const SCREENSHOT = `${ARTIFACTS_DIR}/bull-board-portfolio.png`;

describe('Bull Board during a portfolio run, in headless Chromium at http://scoring.test:PORT', () => {
  let browser: Browser;
  let stack: Stack;
  let worker: PortfolioWorker;
  beforeAll(async () => {
    browser = await launchChromium();
    stack = await Stack.start({
      ...{ ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password },
      PORTFOLIO_CHUNK_ROWS: String(CHUNK_ROWS),
    });
    const real = await loadModel(stack.config);
    const slow = {
      version: real.version,
      score: async (applicants: readonly Applicant[]) => {
        await sleep(SLOW_RUN_MS);
        return real.score(applicants);
      },
    };
    worker = await startPortfolioWorker(stack.config, pino({ level: 'silent' }), slow);
  });
  afterAll(async () => {
    await worker?.close();
    await obliteratePortfolioQueue(stack);
    await stack?.stop();
    await browser?.close();
  });

  it('one parent job per portfolio named by its id and row count, with a progress bar; chunks as children; no applicant data or client id on the page', async () => {
    // 2,400 distinct applicants: every chunk needs the model, so the run takes a while.
    const rows = distinctApplicants(0, CHUNK_ROWS * CHUNKS).map((applicant, i) => ({
      id: `client-ref-${i}`,
      applicant,
    }));
    const accepted = await fetch(`${stack.url}/portfolios`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvOf(rows),
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const id = location.split('/').pop()!;
    await waitUntil(
      'the portfolio to be part done',
      async () => {
        const status = (await (await fetch(`${stack.url}${location}`)).json()) as { rows_done: number };
        return status.rows_done > 0 && status.rows_done < CHUNK_ROWS * CHUNKS;
      },
      { timeoutMs: 30_000 },
    );

    const origin = atTestHost(stack.url);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await context.setExtraHTTPHeaders({ authorization: AUTHORIZATION });
    const page = await context.newPage();
    const problems = watchProblems(page, origin);
    await page.goto(`${origin}/admin/queues/queue/portfolio?status=waiting-children`);
    const parent = page.getByText(`portfolio ${id} · ${CHUNK_ROWS * CHUNKS} rows`).first();
    await parent.waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByRole('progressbar').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForLoadState('networkidle', { timeout: 15_000 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('client-ref-');
    expect(text).not.toContain('unemployed');

    await page.goto(`${origin}/admin/queues/queue/portfolio?status=completed`);
    await page
      .getByText(new RegExp(`portfolio ${id} · chunk \\d+/${CHUNKS} · ${CHUNK_ROWS} rows`))
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
