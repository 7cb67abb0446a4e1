import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { applicantOfCode } from '../shared/code-applicant.js';
import { keyedModelOfBuild } from '../shared/key-encoding.js';
import type { KeySpace } from '../shared/keys.js';
import { BrokenChunk, INVALID_ROW, type ChunkSeal } from '../shared/portfolio-chunk.js';
import type { ChunkJobData, ChunkJobResult, PortfolioJobData, PortfolioQueueData } from '../shared/portfolios.js';
import type { PublicIds } from '../shared/public-id.js';
import type { RedisClient } from '../shared/redis.js';
import type { Score } from '../shared/score.js';
import type { ScoreCache } from '../shared/score-cache.js';
import type { ScoringModel } from './credit-model.js';

/**
 * KEYS[1] the chunk's answers, KEYS[2] the portfolio's record; ARGV[1] the sealed answers, ARGV[2]
 * their TTL in seconds, ARGV[3] the chunk's rows. A retried chunk (its worker died after the write)
 * writes nothing and counts nothing twice. Returns rows_done.
 */
const STORE_ANSWERS_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then
  return redis.call('HINCRBY', KEYS[2], 'rows_done', ARGV[3])
end
return tonumber(redis.call('HGET', KEYS[2], 'rows_done') or '0')
`;

/** KEYS[1] the record: a queued portfolio becomes completed (a cancelled one stays cancelled). */
const FINISH_LUA = `
if redis.call('HGET', KEYS[1], 'status') == 'queued' then redis.call('HSET', KEYS[1], 'status', 'completed') end
return 1
`;

export interface PortfolioProcessorDeps {
  model: ScoringModel;
  seal: ChunkSeal;
  ids: PublicIds;
  cache: ScoreCache;
  keys: KeySpace;
  /** The queue's Redis: records and chunks live there. */
  redis: RedisClient;
  /** The portfolio queue, to move a parent job's progress bar. */
  queue: Queue;
  retentionS: number;
  log: Logger;
}

/**
 * Portfolio jobs. A chunk job opens its sealed rows, looks up its distinct applicant codes in the
 * cache in one pipelined round trip, runs the model once for the misses (on one applicant per code:
 * shared/code-applicant.ts), writes them to the cache under the same keys every request uses, then
 * stores the chunk's answers and moves the parent's progress. The parent job runs once every chunk
 * is done and marks the portfolio completed. A cancelled portfolio's chunks do nothing.
 */
export function createPortfolioProcessor(deps: PortfolioProcessorDeps) {
  const { model, seal, ids, cache, keys, redis, queue, retentionS, log } = deps;
  const encoding = keyedModelOfBuild().encoding;
  /** Model runs in progress in this process, by applicant code: concurrent chunks share them. */
  const scoring = new Map<number, Promise<Map<number, Score>>>();

  async function finish(job: Job<PortfolioJobData>): Promise<{ rows: number; chunks: number }> {
    const { portfolioId, chunks, rows } = job.data;
    const record = keys.portfolio(portfolioId);
    // Results stay readable the retention period from now, however long the portfolio waited.
    const multi = redis.multi().eval(FINISH_LUA, 1, record).expire(record, retentionS);
    for (let chunk = 0; chunk < chunks; chunk++) {
      multi
        .expire(keys.portfolioRows(portfolioId, chunk), retentionS)
        .expire(keys.portfolioAnswers(portfolioId, chunk), retentionS);
    }
    await multi.exec();
    await job.updateProgress(100);
    return { rows, chunks };
  }

  async function scoreChunk(job: Job<ChunkJobData>): Promise<ChunkJobResult> {
    const { portfolioId, chunk } = job.data;
    const [status, sealed] = await Promise.all([
      redis.hget(keys.portfolio(portfolioId), 'status'),
      redis.getBuffer(keys.portfolioRows(portfolioId, chunk)),
    ]);
    if (status === 'cancelled' || !sealed)
      return { rows: job.data.rows, distinct: 0, cacheHits: 0, scored: 0, skipped: 'cancelled' };
    let rows;
    try {
      rows = seal.unsealRows(portfolioId, chunk, sealed);
    } catch (error) {
      if (error instanceof BrokenChunk) throw new UnrecoverableError(error.message);
      throw error;
    }
    const distinct = [...new Set(rows.codes)].filter((code) => code !== INVALID_ROW);
    const cacheKeys = distinct.map((code) => keys.score(model.version, ids.forApplicant(model.version, String(code))));
    const cached = await cache.readMany(cacheKeys);
    const answers = new Map<number, Score>();
    distinct.forEach((code, i) => cached[i] && answers.set(code, cached[i]));
    // Codes another chunk in this process is scoring right now are awaited, not scored again.
    const missed = distinct.flatMap((_, i) => (cached[i] ? [] : [i]));
    const elsewhere = missed.filter((i) => scoring.has(distinct[i]!));
    const misses = missed.filter((i) => !scoring.has(distinct[i]!));
    if (misses.length > 0) {
      const run = (async () => {
        const scores = await model.score(misses.map((i) => applicantOfCode(encoding, distinct[i]!)));
        await cache.write(misses.map((i, n) => ({ key: cacheKeys[i]!, score: scores[n]! })));
        return new Map(misses.map((i, n) => [distinct[i]!, scores[n]!]));
      })();
      for (const i of misses) scoring.set(distinct[i]!, run);
      try {
        for (const [code, score] of await run) answers.set(code, score);
      } finally {
        for (const i of misses) scoring.delete(distinct[i]!);
      }
    }
    for (const i of elsewhere) {
      const code = distinct[i]!;
      const score = (await scoring.get(code)?.catch(() => undefined))?.get(code) ?? (await cache.read(cacheKeys[i]!));
      // The other chunk's run failed: this attempt fails too, and BullMQ retries it.
      if (!score) throw new Error('an applicant code scored by another chunk has no answer');
      answers.set(code, score);
    }
    const done = Number(
      await redis.eval(
        STORE_ANSWERS_LUA,
        2,
        keys.portfolioAnswers(portfolioId, chunk),
        keys.portfolio(portfolioId),
        seal.sealAnswers(portfolioId, chunk, answers, model.version),
        retentionS,
        rows.codes.length,
      ),
    );
    const total = Number((await redis.hget(keys.portfolio(portfolioId), 'rows_total')) ?? 0);
    if (job.parent && total > 0) {
      const parent = job.parent.id ? await queue.getJob(job.parent.id) : undefined;
      await parent?.updateProgress(Math.min(100, Math.floor((done / total) * 100)));
    }
    log.debug(
      { jobId: job.id, rows: rows.codes.length, distinct: distinct.length, scored: misses.length },
      'portfolio chunk',
    );
    return {
      rows: rows.codes.length,
      distinct: distinct.length,
      cacheHits: distinct.length - missed.length,
      scored: misses.length,
    };
  }

  return (job: Job<PortfolioQueueData>) =>
    job.data.kind === 'chunk' ? scoreChunk(job as Job<ChunkJobData>) : finish(job as Job<PortfolioJobData>);
}
