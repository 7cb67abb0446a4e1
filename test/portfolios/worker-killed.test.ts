import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { ServiceProcess, waitForOutput } from '../support/processes.js';
import { REDIS_URL } from '../support/redis.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';
import { csvOf } from './support.js';

const HANGING_WORKER = '../test/portfolios/fixtures/hanging-portfolio-worker.mjs';
const CHUNK_ROWS = 100;

describe('fault: a worker SIGKILLed in the middle of a portfolio', () => {
  const fleet = new ServiceFleet(REDIS_URL, { PORTFOLIO_CHUNK_ROWS: String(CHUNK_ROWS) });
  afterAll(async () => {
    const queue = new Queue(PORTFOLIO_QUEUE, { connection: fleet.redis, prefix: fleet.namespace.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await fleet.stop();
  });

  it("chunk done, next chunk in the killed worker's hands -> a new worker retries that chunk alone; every row answered, in order, none twice", async () => {
    // Arrange: 400 distinct applicants (4 chunks, no code shared between chunks, so each needs the model).
    const { base } = await fleet.startGateway();
    const rows = distinctApplicants(0, 4 * CHUNK_ROWS).map((applicant, i) => ({ id: `row-${i}`, applicant }));
    const accepted = await fetch(`${base}/portfolios`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvOf(rows),
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const status = async () => (await (await fetch(`${base}${location}`)).json()) as Record<string, number | string>;
    const hanging = ServiceProcess.start(HANGING_WORKER, fleet.envFor({ FAST_MODEL_RUNS: '1' }));
    fleet.processes.push(hanging);
    await waitForOutput(hanging, /worker ready/);
    const midway = await waitUntil('one chunk answered and the worker stuck on the next', async () => {
      const now = await status();
      return now.rows_done === CHUNK_ROWS && now;
    });
    expect(midway.status).toBe('active');

    // Act: SIGKILL, then a real worker process.
    await hanging.stop('SIGKILL');
    await fleet.startWorker();

    // Assert: completed (lock expiry + stalled check, generous ceiling on a busy machine), every row once.
    const finished = await waitUntil(
      'the portfolio to complete',
      async () => {
        const now = await status();
        return now.status === 'completed' && now;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(finished).toMatchObject({ rows_total: 400, rows_done: 400, rows_invalid: 0 });
    const lines = (await (await fetch(`${base}${location}/results`)).text()).trimEnd().split('\n');
    const results = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results.map((row) => row.id)).toEqual(rows.map((row) => row.id));
    expect(results.every((row) => row.decision === 'ACCEPT' || row.decision === 'DECLINE')).toBe(true);
    const cached = await fleet.cachedAnswers(
      rows.map((row) => row.applicant),
      String(results[0]!.model_version),
    );
    expect(results.map((row) => row.probability)).toEqual(cached.map((score) => score?.probability));
  }, 150_000);
});
