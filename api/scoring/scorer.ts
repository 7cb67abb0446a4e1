import type { Queue } from 'bullmq';
import type { Applicant } from '../../shared/applicant.js';
import { applicantCode, scoreKey } from '../../shared/cache-key.js';
import { DomainError, RedisUnavailable } from '../../shared/errors.js';
import { scoreJobId, scoreJobName, type ScoreJobData, type ScoreJobResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import type { JobWaiter } from './job-waiter.js';

export type ScoreQueue = Queue<ScoreJobData, ScoreJobResult>;

export interface ScoreOutcome {
  score: Score;
  cache: 'HIT' | 'MISS';
}

export interface ScorerDeps {
  cache: ScoreCache;
  queue: ScoreQueue;
  waiter: JobWaiter;
  cachePrefix: string;
  modelVersion: string;
  syncWaitMs: number;
}

/** Enqueueing found no job to wait for: the answer is already here, or the id must be added again. */
type EnqueueOutcome = { kind: 'wait' } | { kind: 'answered'; score: Score } | { kind: 'add-again' };

/**
 * Answers one applicant: from the cache when it can, otherwise through one job per distinct
 * applicant, shared by every request (on any gateway) that asks while it runs.
 */
export class Scorer {
  constructor(private readonly deps: ScorerDeps) {}

  get modelVersion(): string {
    return this.deps.modelVersion;
  }

  async score(applicant: Applicant, requestId?: string): Promise<ScoreOutcome> {
    const code = applicantCode(applicant);
    const key = scoreKey(this.deps.cachePrefix, this.deps.modelVersion, code);
    const cached = await this.deps.cache.read(key);
    if (cached) return { score: cached, cache: 'HIT' };
    return { score: await this.scoreMiss({ applicant, modelVersion: this.deps.modelVersion, requestId }, code, key), cache: 'MISS' };
  }

  private async scoreMiss(data: ScoreJobData, code: string, key: string): Promise<Score> {
    const deadline = Date.now() + this.deps.syncWaitMs;
    const jobId = scoreJobId(this.deps.modelVersion, code);
    // Two rounds: the second only runs when a finished job of the same id was in the way.
    for (let round = 0; round < 2; round++) {
      const wait = this.deps.waiter.wait(jobId, Math.max(1, deadline - Date.now()));
      let outcome: EnqueueOutcome;
      try {
        outcome = await this.enqueue(jobId, scoreJobName(code), data, key);
      } catch (error) {
        wait.cancel();
        throw error;
      }
      if (outcome.kind === 'wait') return wait.result;
      wait.cancel();
      if (outcome.kind === 'answered') return outcome.score;
    }
    throw new RedisUnavailable('the scoring job could not be queued');
  }

  /**
   * Adds the job (a no-op when one with this id exists) and then checks what is there, because an
   * existing job may already be finished and will send no further event.
   */
  private async enqueue(jobId: string, name: string, data: ScoreJobData, key: string): Promise<EnqueueOutcome> {
    const { queue, cache } = this.deps;
    const state = await this.guard(async () => {
      await queue.add(name, data, { jobId });
      return queue.getJobState(jobId);
    });
    if (state === 'completed' || state === 'unknown') {
      const cached = await cache.read(key);
      if (cached) return { kind: 'answered', score: cached };
      // A completed job kept for Bull Board whose answer has since expired must not block re-scoring.
      if (state === 'completed') await this.guard(() => queue.remove(jobId));
      return { kind: 'add-again' };
    }
    if (state === 'failed') {
      // A kept failure is retried for the new request; when two gateways race, the loser's retry
      // throws because the job is no longer failed, and both simply wait.
      await this.guard(async () => (await queue.getJob(jobId))?.retry('failed').catch(() => undefined));
    }
    return { kind: 'wait' };
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new RedisUnavailable('the queue is unreachable', { cause: error });
    }
  }
}
