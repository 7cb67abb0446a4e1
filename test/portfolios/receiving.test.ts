import { afterEach, describe, expect, it } from 'vitest';
import type { PortfolioWorker } from '../../worker/portfolio-worker.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { CSV_HEADER_LINE, csvLines, slowCsvUpload } from './slow-post.js';
import { obliteratePortfolioQueue, startPortfolioWorkerFor, untilFinished } from './support.js';

describe('portfolios: an upload can be watched while it arrives (status receiving)', () => {
  let stack: Stack;
  let worker: PortfolioWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await obliteratePortfolioQueue(stack);
    await stack.stop();
  });

  /** The status of `location` once it counts `rows` rows. */
  async function statusWithRows(location: string, rows: number) {
    return waitUntil(`${location} to count ${rows} rows`, async () => {
      const status = await stack.get(location);
      return status.body.rows_total === rows && status;
    });
  }

  it('a CSV sent piece by piece: 103 with Location while sending; GET says receiving, rows_total grows; DELETE -> 409; after the end 202 and completed', async () => {
    stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: '2' });
    await stack.startWorker();
    worker = await startPortfolioWorkerFor(stack);
    const upload = slowCsvUpload(stack.url);

    // csv-parse keeps the last bytes of what has arrived until more comes (they may start a longer
    // line break), so each piece carries one row past the chunk it should complete.
    upload.send(CSV_HEADER_LINE + csvLines(0, 3));
    const hints = await upload.early;
    const location = String(hints.location);
    expect(location).toMatch(/^\/portfolios\/[A-Za-z0-9_-]{22}$/);
    expect(hints.link).toBe(`<${location}>; rel="monitor"`);

    const first = await statusWithRows(location, 2);
    expect(first.body).toMatchObject({ status: 'receiving', rows_total: 2, rows_done: 0, rows_invalid: 0 });
    expect(first.response.headers.get('retry-after')).toMatch(/^\d+$/);

    upload.send(csvLines(3, 2));
    const second = await statusWithRows(location, 4);
    expect(second.body).toMatchObject({ status: 'receiving', rows_total: 4 });

    const cancel = await fetch(`${stack.url}${location}`, { method: 'DELETE' });
    expect(cancel.status).toBe(409);
    expect(await cancel.json()).toMatchObject({ code: 'STILL_RECEIVING' });

    upload.send(csvLines(5, 1));
    upload.end();
    const outcome = await upload.outcome;
    expect(outcome.status).toBe(202);
    if (outcome.status === 'closed') return;
    expect(outcome.headers.location).toBe(location);
    expect(JSON.parse(outcome.body)).toMatchObject({ status: 'queued', rows_total: 6, rows_invalid: 0 });
    expect(await untilFinished(stack, location)).toMatchObject({ status: 'completed', rows_total: 6, rows_done: 6 });
  });
});
