import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startPortfolioWorker, type PortfolioWorker } from '../../worker/portfolio-worker.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { countingModel } from '../support/counting-model.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';
import { csvOf, ndjsonLines, obliteratePortfolioQueue, untilFinished, upload } from './support.js';

const DISTINCT = 8;
const CHUNK_ROWS = 10;
/** Every chunk holds every applicant: 6 chunks of 10 rows, each of the 8 codes in each chunk. */
const ROWS = 6 * CHUNK_ROWS;

/** Cache reads a Redis server has answered: the cache reads an entry with HGETALL (HMGET counted too, in case). */
async function cacheReads(cache: RedisServer): Promise<number> {
  const client = cache.client();
  try {
    const stats = await client.info('commandstats');
    return [...stats.matchAll(/^cmdstat_(?:hgetall|hmget):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  } finally {
    client.disconnect();
  }
}

describe('portfolios: each distinct applicant code is looked up once and scored at most once per portfolio', () => {
  let stack: Stack | undefined;
  let cache: RedisServer | undefined;
  const workers: PortfolioWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    if (stack) {
      await obliteratePortfolioQueue(stack);
      await stack.stop();
    }
    await cache?.dispose();
    stack = undefined;
    cache = undefined;
  });

  it('60 rows of 8 applicants, every code in all 6 chunks, two worker processes -> 8 cache reads and 8 applicants scored in all', async () => {
    // Arrange: the cache on a server of this test alone, so its command counts are this portfolio's.
    cache = await RedisServer.start();
    stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: String(CHUNK_ROWS), CACHE_REDIS_URL: cache.url });
    const real = await loadModel(stack.config);
    let scored = 0;
    // Two workers, each with its own processor, as two worker processes have: nothing shared in memory.
    for (let i = 0; i < 2; i++) {
      const model = countingModel(real, (applicants) => (scored += applicants));
      workers.push(await startPortfolioWorker(stack.config, pino({ level: 'silent' }), model));
    }
    const applicants = distinctApplicants(100, DISTINCT);
    const rows = Array.from({ length: ROWS }, (_, i) => ({ id: `r${i}`, applicant: applicants[(i * 3) % DISTINCT]! }));
    const readsBefore = await cacheReads(cache);

    // Act
    const accepted = await upload(stack, csvOf(rows));
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const finished = await untilFinished(stack, location);

    // Assert: one read and at most one model row per distinct code, and every row answered.
    expect(finished).toMatchObject({ status: 'completed', rows_total: ROWS, rows_done: ROWS });
    expect((await cacheReads(cache)) - readsBefore).toBe(DISTINCT);
    expect(scored).toBe(DISTINCT);
    const lines = await ndjsonLines(await fetch(`${stack.url}${location}/results`));
    expect(lines.map((line) => line.id)).toEqual(rows.map((row) => row.id));
    expect(lines.every((line) => typeof line.probability === 'number')).toBe(true);
    // Rows of one applicant carry one answer, whichever chunk scored it.
    const byApplicant = new Map<number, string>();
    lines.forEach(({ line: _line, id: _id, ...answer }, i) => {
      const applicant = (i * 3) % DISTINCT;
      const text = JSON.stringify(answer);
      expect(byApplicant.get(applicant) ?? text).toBe(text);
      byApplicant.set(applicant, text);
    });
  });
});
