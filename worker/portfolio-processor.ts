import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { applicantOfCode } from '../shared/code-applicant.js';
import { BrokenChunk } from '../shared/errors.js';
import { keyedModelOfBuild } from '../shared/key-encoding.js';
import type { KeySpace } from '../shared/keys.js';
import type { ChunkSeal } from '../shared/portfolio-chunk.js';
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
 * Portfolio jobs. A chunk job opens its sealed rows, looks up the applicant codes it owns (those
 * first seen in it: shared/portfolio-chunk.ts) in the cache in one pipelined round trip, runs the
 * model once for the misses (on one applicant per code: shared/code-applicant.ts), writes them to
 * the cache under the same keys every request uses, then stores the answers of its codes and moves
 * the parent's progress. Chunks share nothing while they run, so any number of them may run at once
 * in any number of processes, and a retried chunk redoes only its own codes. The parent job runs once every chunk
 * is done and marks the portfolio completed. A cancelled portfolio's chunks do nothing.
 */
export function createPortfolioProcessor(deps: PortfolioProcessorDeps) {
  const { model, seal, ids, cache, keys, redis, queue, retentionS, log } = deps;
  const encoding = keyedModelOfBuild().encoding;

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
      return { rows: job.data.rows, owned: 0, cacheHits: 0, scored: 0, skipped: 'cancelled' };
    let rows;
    try {
      rows = seal.unsealRows(portfolioId, chunk, sealed);
    } catch (error) {
      if (error instanceof BrokenChunk) throw new UnrecoverableError(error.message);
      throw error;
    }
    // Only the codes this chunk owns: every other code of its rows is another chunk's to look up and score.
    const owned = [...rows.owned];
    const cacheKeys = owned.map((code) => keys.score(model.version, ids.forApplicant(model.version, String(code))));
    const cached = await cache.readMany(cacheKeys);
    const answers = new Map<number, Score>();
    const misses: number[] = [];
    owned.forEach((code, i) => (cached[i] ? answers.set(code, cached[i]) : misses.push(i)));
    if (misses.length > 0) {
      const scores = await model.score(misses.map((i) => applicantOfCode(encoding, owned[i]!)));
      await cache.write(misses.map((i, n) => ({ key: cacheKeys[i]!, score: scores[n]! })));
      misses.forEach((i, n) => answers.set(owned[i]!, scores[n]!));
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
      { jobId: job.id, rows: rows.codes.length, owned: owned.length, scored: misses.length },
      'portfolio chunk',
    );
    return {
      rows: rows.codes.length,
      owned: owned.length,
      cacheHits: owned.length - misses.length,
      scored: misses.length,
    };
  }

  return (job: Job<PortfolioQueueData>) =>
    job.data.kind === 'chunk' ? scoreChunk(job as Job<ChunkJobData>) : finish(job as Job<PortfolioJobData>);
}
