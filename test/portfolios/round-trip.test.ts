import { afterEach, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';
import { pino } from 'pino';
import { startPortfolioWorker, type PortfolioWorker } from '../../worker/portfolio-worker.js';
import { loadModel } from '../../worker/scoring-worker.js';
import {
  csvOf,
  ndjsonLines,
  obliteratePortfolioQueue,
  startPortfolioWorkerFor,
  untilFinished,
  upload,
} from './support.js';

/** Small chunks, so a 30-row file spans five chunk jobs. */
const ENV = { PORTFOLIO_CHUNK_ROWS: '7' };

describe('portfolios: round trips through the real gateway, queue, worker and model', () => {
  let stack: Stack;
  let worker: PortfolioWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await obliteratePortfolioQueue(stack);
    await stack.stop();
  });

  /** What /scores answers for an applicant (the online path, with the real applicant, not its code). */
  async function scoresOf(applicants: Applicant[]): Promise<unknown[]> {
    return Promise.all(
      applicants.map(async (applicant) => {
        const response = await stack.post('/scores', applicant, { prefer: 'wait=8' });
        expect(response.status).toBe(200);
        return response.json();
      }),
    );
  }

  it('CSV in, NDJSON out: 202 + Location, completed, one answer per row in input order with the id echoed, each equal to /scores', async () => {
    stack = await Stack.start(ENV);
    await stack.startWorker();
    worker = await startPortfolioWorkerFor(stack);
    // 30 rows, 10 distinct applicants each three times, in an order that is not the code order.
    const applicants = Array.from({ length: 30 }, (_, i) => applicantNumber(((i * 7) % 10) * 37));
    const rows = applicants.map((applicant, i) => ({ id: `loan-${1000 - i}`, applicant }));

    const accepted = await upload(stack, csvOf(rows));
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    expect(location).toMatch(/^\/portfolios\/[A-Za-z0-9_-]{22}$/);
    const acceptedBody = (await accepted.json()) as Record<string, unknown>;
    expect(acceptedBody).toMatchObject({ status: 'queued', rows_total: 30, rows_invalid: 0 });

    const finished = await untilFinished(stack, location);
    expect(finished).toMatchObject({ status: 'completed', rows_total: 30, rows_done: 30, rows_invalid: 0 });

    const results = await fetch(`${stack.url}${location}/results`);
    expect(results.status).toBe(200);
    expect(results.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = await ndjsonLines(results);
    const expected = await scoresOf(applicants);
    expect(lines.map((line) => line.id)).toEqual(rows.map((row) => row.id));
    expect(lines.map((line) => line.line)).toEqual(rows.map((_, i) => i + 2));
    expect(lines.map(({ line: _line, id: _id, ...score }) => score)).toEqual(expected);
  });

  it('NDJSON in, CSV out (Accept: text/csv): ids echoed (numbers as text), rows in order, decisions and probabilities equal to /scores', async () => {
    stack = await Stack.start(ENV);
    await stack.startWorker();
    worker = await startPortfolioWorkerFor(stack);
    const applicants = Array.from({ length: 12 }, (_, i) => applicantNumber(3599 - i * 300));
    const body = applicants.map((applicant, i) => JSON.stringify({ id: i * 11, ...applicant })).join('\n') + '\n';

    const accepted = await upload(stack, body, 'application/x-ndjson');
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    expect(await untilFinished(stack, location)).toMatchObject({ status: 'completed', rows_done: 12 });

    const results = await fetch(`${stack.url}${location}/results`, { headers: { accept: 'text/csv' } });
    expect(results.headers.get('content-type')).toContain('text/csv');
    const [header, ...lines] = (await results.text()).trimEnd().split('\n');
    expect(header).toBe(
      'line,id,decision,probability,risk_category,reasons,expected_cost_accept,expected_cost_decline,model_version,errors',
    );
    const expected = (await scoresOf(applicants)) as Array<Record<string, unknown>>;
    expect(lines).toHaveLength(12);
    lines.forEach((text, i) => {
      const cells = text.split(',');
      expect(cells.slice(0, 5)).toEqual([
        String(i + 1),
        String(i * 11),
        expected[i]!.decision,
        String(expected[i]!.probability),
        expected[i]!.risk_category,
      ]);
    });
  });
});

describe('portfolios: work is deduplicated across the file and with the cache', () => {
  it('40 rows of 8 distinct applicants in 4 chunks run two at a time -> the model scores 8 rows in all; a second upload scores none', async () => {
    const stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: '10' });
    const real = await loadModel(stack.config);
    let modelRows = 0;
    const counting = {
      version: real.version,
      score: async (applicants: readonly Applicant[]) => {
        modelRows += applicants.length;
        return real.score(applicants);
      },
    };
    const worker = await startPortfolioWorker(stack.config, pino({ level: 'silent' }), counting);
    try {
      // Every chunk holds all 8 applicants: chunks that run at once must not each score them.
      const applicants = Array.from({ length: 40 }, (_, i) => applicantNumber((i % 8) * 450 + 3));
      const file = csvOf(applicants.map((applicant) => ({ applicant })));
      const first = await upload(stack, file);
      await untilFinished(stack, first.headers.get('location')!);
      expect(modelRows).toBe(8);
      const second = await upload(stack, file);
      await untilFinished(stack, second.headers.get('location')!);
      expect(modelRows).toBe(8);
    } finally {
      await worker.close();
      await obliteratePortfolioQueue(stack);
      await stack.stop();
    }
  });
});
