import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { CSV_HEADER_LINE, csvLines, SlowPost, slowCsvUpload } from './slow-post.js';
import { obliteratePortfolioQueue, portfolioKeys } from './support.js';
import { portfolioQueue } from './support-queue.js';

/** A CSV in pieces of one row each, header first. */
function rowByRow(rows: number): string[] {
  return [CSV_HEADER_LINE, ...Array.from({ length: rows }, (_, i) => csvLines(i, 1))];
}

describe('portfolios: an upload has a deadline of its own; every other request keeps HTTP_REQUEST_TIMEOUT_MS', () => {
  let stack: Stack;
  afterEach(async () => {
    await obliteratePortfolioQueue(stack);
    await stack.stop();
  });

  it('HTTP_REQUEST_TIMEOUT_MS=1500: a CSV sent steadily, a row every 200 ms for about 4 s -> 202 with all 20 rows', async () => {
    stack = await Stack.start({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      PORTFOLIO_CHUNK_ROWS: '5',
    });
    const upload = slowCsvUpload(stack.url);
    upload.stream(rowByRow(20), 200);
    const outcome = await upload.outcome;
    expect(outcome.status).toBe(202);
    if (outcome.status === 'closed') return;
    expect(JSON.parse(outcome.body)).toMatchObject({ status: 'queued', rows_total: 20 });
  });

  it.each([
    ['/scores', 'the lean lane'],
    ['/scores/batch', 'Express'],
  ])(
    'HTTP_REQUEST_TIMEOUT_MS=1500: a JSON body to %s (%s) trickled a byte every 300 ms -> 408 or closed, never answered',
    async (path) => {
      stack = await Stack.start({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500' });
      const body = JSON.stringify({ applicants: [{ age_in_years: 30, foreign_worker: 'yes' }] });
      const post = new SlowPost(stack.url, path, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      // 70 bytes at 300 ms each would take 21 s: far past the deadline, before the body is whole.
      post.stream(body.split(''), 300);
      expect([408, 'closed']).toContain((await post.outcome).status);
    },
  );

  it('PORTFOLIO_UPLOAD_TIMEOUT_MS=3000: a CSV sent steadily for about 12 s is cut at the deadline -> 408 or closed, nothing left in Redis, no job', async () => {
    stack = await Stack.start({
      PORTFOLIO_UPLOAD_TIMEOUT_MS: '3000',
      PORTFOLIO_IDLE_TIMEOUT_MS: '2000',
      PORTFOLIO_CHUNK_ROWS: '2',
    });
    const upload = slowCsvUpload(stack.url);
    upload.stream(rowByRow(60), 200);
    await waitUntil('the first chunks to be stored', async () =>
      (await portfolioKeys(stack)).some((key) => key.includes(':in:')),
    );
    expect([408, 'closed']).toContain((await upload.outcome).status);
    await waitUntil('the cut upload to leave nothing', async () => (await portfolioKeys(stack)).length === 0);
    expect(await portfolioQueue(stack).counts()).toBe(0);
  });
});
