import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantCode } from '../../shared/keys.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.js';
import { Stack } from '../support/stack.js';

const ADMIN = { username: 'operator', password: 'correct-horse-battery' };
const ADMIN_ENV = { ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

describe('the pages a person looks at, in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe('at the root path', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start(ADMIN_ENV);
      await stack.startWorker();
    });
    afterAll(() => stack.stop());

    it('/docs renders the API from the OpenAPI document and lists the three seed endpoints', async () => {
      const page = await browser.newPage();
      await page.goto(`${stack.url}/docs/`);
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      const paths = await page.locator('.opblock-summary-path').allInnerTexts();
      expect(paths).toEqual(expect.arrayContaining(['/decisions', '/probabilities', '/risk_categories', '/jobs/{id}']));
      expect(await page.locator('a', { hasText: 'model card' }).getAttribute('href')).toBe('/model/MODEL_CARD.md');
      await page.screenshot({ path: `${ARTIFACTS_DIR}/docs.png`, fullPage: true });
      await page.close();
    });

    it('the model card and its plots, linked from /docs, are served', async () => {
      const card = await fetch(`${stack.url}/model/MODEL_CARD.md`);
      expect(card.status).toBe(200);
      expect(await card.text()).toContain('roc.svg');
      const roc = await fetch(`${stack.url}/model/roc.svg`);
      expect(roc.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect((await fetch(`${stack.url}/model/credit-model.onnx`)).status).toBe(404);
    });

    it('Bull Board asks for credentials, then shows the score queue with the job a request created', async () => {
      // Without credentials Chromium gets the Basic challenge (a navigation ends in its login prompt).
      const anonymous = await browser.newContext();
      const refused = await anonymous.request.get(`${stack.url}/admin/queues`);
      expect(refused.status()).toBe(401);
      expect(refused.headers()['www-authenticate']).toMatch(/^Basic /);
      const wrong = await browser.newContext({ httpCredentials: { ...ADMIN, password: 'wrong-password-123' } });
      expect((await wrong.request.get(`${stack.url}/admin/queues`)).status()).toBe(401);
      await Promise.all([anonymous.close(), wrong.close()]);

      const applicant = applicantNumber(42);
      expect((await stack.post('/scores', applicant)).headers.get('x-cache')).toBe('MISS');
      const context = await browser.newContext({ httpCredentials: ADMIN, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${stack.url}/admin/queues/queue/score?status=completed`);
      await page
        .getByText(`score ${applicantCode(applicant)}`)
        .first()
        .waitFor({ timeout: 15_000 });
      expect(await page.getByText('modelVersion').count()).toBeGreaterThan(0);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/bull-board.png`, fullPage: true });
      expect(await page.getByRole('button', { name: /Retry all/ }).count()).toBe(1);
      await context.close();
    });
  });

  describe('read-only, behind BASE_PATH=/scoring', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({ ...ADMIN_ENV, ADMIN_READ_ONLY: 'true', BASE_PATH: '/scoring' });
      await stack.startWorker();
    });
    afterAll(() => stack.stop());

    it('scoring, docs and the board all answer under the prefix', async () => {
      expect((await stack.post('/scoring/decisions', EXAMPLE_APPLICANT)).status).toBe(200);
      expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).status).toBe(404);
      const page = await browser.newPage();
      await page.goto(`${stack.url}/scoring/docs/`);
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      expect(await page.locator('.opblock-summary-path').allInnerTexts()).toContain('/decisions');
      await page.close();
    });

    it('the board works under the prefix and hides retry, clean and delete; its API refuses them too', async () => {
      const context = await browser.newContext({ httpCredentials: ADMIN, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${stack.url}/scoring/admin/queues/queue/score?status=completed`);
      await page
        .getByText(/score \d{1,9}/)
        .first()
        .waitFor({ timeout: 15_000 });
      expect(await page.getByRole('button', { name: /Retry all|Clean all/ }).count()).toBe(0);
      expect(await page.locator('button[title*="Retry" i], button[title*="Delete" i]').count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/bull-board-read-only.png`, fullPage: true });

      const auth = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
      const clean = await fetch(`${stack.url}/scoring/admin/queues/api/queues/score/clean/completed`, {
        method: 'PUT',
        headers: { authorization: auth },
      });
      expect(clean.status).toBe(405);
      expect(await stack.gateway.queue.getCompletedCount()).toBeGreaterThan(0);
      await context.close();
    });
  });
});
