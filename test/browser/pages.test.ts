import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { ARTIFACTS_DIR, atTestHost, launchChromium, watchProblems } from '../support/browser.js';
import { Stack } from '../support/stack.js';

const ADMIN = { username: 'operator', password: 'correct-horse-battery' };
const ADMIN_ENV = { ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };
const AUTHORIZATION = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

/**
 * A page at http://scoring.test:PORT, watched for problems. Admin pages send the credentials up
 * front, so the 401 challenge a first visit gets does not count as a problem.
 */
async function openPage(
  browser: Browser,
  origin: string,
  { admin = false } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (admin) await context.setExtraHTTPHeaders({ authorization: AUTHORIZATION });
  const page = await context.newPage();
  return { context, page, problems: watchProblems(page, origin) };
}

/** Lets late requests (fonts, icons) of a rendered page finish or fail before the problems are read. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 15_000 });
}

describe('the pages a person looks at, in headless Chromium at http://scoring.test:PORT', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe('at the root path', () => {
    let stack: Stack;
    let origin: string;
    beforeAll(async () => {
      stack = await Stack.start(ADMIN_ENV);
      await stack.startWorker();
      origin = atTestHost(stack.url);
    });
    afterAll(() => stack.stop());

    it('/ shows a page pointing to the docs, the board, health and the model card; no failed request or error', async () => {
      const { context, page, problems } = await openPage(browser, origin);
      await page.goto(`${origin}/`);
      await page.getByRole('heading', { name: 'Credit scoring' }).waitFor({ state: 'visible', timeout: 15_000 });
      const links = {
        'API documentation': '/docs/',
        'Queue board': '/admin/queues',
        Health: '/healthz',
        'Model card': '/model/MODEL_CARD.md',
      };
      for (const [text, href] of Object.entries(links)) {
        const link = page.getByRole('link', { name: text });
        expect(await link.isVisible(), text).toBe(true);
        expect(await link.getAttribute('href'), text).toBe(href);
      }
      await page.getByRole('link', { name: 'API documentation' }).click();
      await page.locator('.opblock-summary-path').first().waitFor({ state: 'visible', timeout: 15_000 });
      await settle(page);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('/ for an API client (Accept: application/json, or none) is the same links as JSON', async () => {
      for (const accept of ['application/json', '*/*']) {
        const response = await fetch(`${stack.url}/`, { headers: { accept } });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toMatchObject({
          links: {
            docs: '/docs/',
            openapi: '/openapi.json',
            model_card: '/model/MODEL_CARD.md',
            health: '/healthz',
            board: '/admin/queues',
          },
        });
      }
    });

    it('/docs renders over plain HTTP: the endpoints are visible, nothing fails, nothing goes outside', async () => {
      const { context, page, problems } = await openPage(browser, origin);
      await page.goto(`${origin}/docs/`);
      const firstPath = page.locator('.opblock-summary-path').first();
      await firstPath.waitFor({ state: 'visible', timeout: 15_000 });
      const paths = await page.locator('.opblock-summary-path').allInnerTexts();
      expect(paths).toEqual(expect.arrayContaining(['/decisions', '/probabilities', '/risk_categories', '/jobs/{id}']));
      const card = page.locator('a', { hasText: 'model card' });
      expect(await card.isVisible()).toBe(true);
      expect(await card.getAttribute('href')).toBe('/model/MODEL_CARD.md');
      await settle(page);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/docs.png`, fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    });

    it('the model card and its plots, linked from /docs, are served', async () => {
      const card = await fetch(`${stack.url}/model/MODEL_CARD.md`);
      expect(card.status).toBe(200);
      expect(await card.text()).toContain('roc.svg');
      const roc = await fetch(`${stack.url}/model/roc.svg`);
      expect(roc.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect((await fetch(`${stack.url}/model/credit-model.onnx`)).status).toBe(404);
    });

    it('Bull Board asks for credentials, then shows the score queue with the job a request created; nothing fails, nothing goes outside', async () => {
      // Without credentials Chromium gets the Basic challenge (a navigation ends in its login prompt).
      // Playwright's request API resolves names itself (not through Chromium's host rules): 127.0.0.1.
      const anonymous = await browser.newContext();
      const refused = await anonymous.request.get(`${stack.url}/admin/queues`);
      expect(refused.status()).toBe(401);
      expect(refused.headers()['www-authenticate']).toMatch(/^Basic /);
      const wrong = await browser.newContext({ httpCredentials: { ...ADMIN, password: 'wrong-password-123' } });
      expect((await wrong.request.get(`${stack.url}/admin/queues`)).status()).toBe(401);
      await Promise.all([anonymous.close(), wrong.close()]);

      const applicant = applicantNumber(42);
      const requestId = 'board-browser-root';
      expect((await stack.post('/scores', applicant, { 'x-request-id': requestId })).headers.get('x-cache')).toBe(
        'MISS',
      );
      const { context, page, problems } = await openPage(browser, origin, { admin: true });
      await page.goto(`${origin}/admin/queues/queue/score?status=completed`);
      // The job's name says how many applicants and which request, never who.
      const job = page.getByText(`score 1 applicant · req ${requestId}`).first();
      await job.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.getByText('modelVersion').first().isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: /Retry all/ }).count()).toBe(1);
      await settle(page);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/bull-board.png`, fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    });
  });

  describe('read-only, behind BASE_PATH=/scoring', () => {
    let stack: Stack;
    let origin: string;
    beforeAll(async () => {
      stack = await Stack.start({ ...ADMIN_ENV, ADMIN_READ_ONLY: 'true', BASE_PATH: '/scoring' });
      await stack.startWorker();
      origin = atTestHost(stack.url);
    });
    afterAll(() => stack.stop());

    it('scoring, the landing page, docs and the board all answer under the prefix', async () => {
      expect((await stack.post('/scoring/decisions', EXAMPLE_APPLICANT)).status).toBe(200);
      expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).status).toBe(404);
      const { context, page, problems } = await openPage(browser, origin);
      await page.goto(`${origin}/scoring`);
      const docsLink = page.getByRole('link', { name: 'API documentation' });
      await docsLink.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await docsLink.getAttribute('href')).toBe('/scoring/docs/');
      await docsLink.click();
      await page.locator('.opblock-summary-path').first().waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.locator('.opblock-summary-path').allInnerTexts()).toContain('/decisions');
      await settle(page);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('the board works under the prefix and hides retry, clean and delete; its API refuses them too', async () => {
      const { context, page, problems } = await openPage(browser, origin, { admin: true });
      await page.goto(`${origin}/scoring/admin/queues/queue/score?status=completed`);
      await page
        .getByText(/score \d+ applicants? · req /)
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.getByRole('button', { name: /Retry all|Clean all/ }).count()).toBe(0);
      expect(await page.locator('button[title*="Retry" i], button[title*="Delete" i]').count()).toBe(0);
      await settle(page);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/bull-board-read-only.png`, fullPage: true });
      expect(problems).toEqual([]);

      const clean = await fetch(`${stack.url}/scoring/admin/queues/api/queues/score/clean/completed`, {
        method: 'PUT',
        headers: { authorization: AUTHORIZATION },
      });
      expect(clean.status).toBe(405);
      expect(await stack.gateway.queue.getCompletedCount()).toBeGreaterThan(0);
      await context.close();
    });
  });
});
