import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { applicantCode, scoreKey } from '../shared/keys.js';
import type { ScoreJobData, ScoreJobResult } from '../shared/queues.js';
import type { ScoreCache } from '../shared/score-cache.js';
import type { CreditModel } from './credit-model.js';

export interface ScoreProcessorDeps {
  model: CreditModel;
  cache: ScoreCache;
  cachePrefix: string;
  log: Logger;
}

/**
 * Runs the model for one job, stores the answers before returning them (a waiting gateway that
 * misses the completion event finds them in the cache), and returns them as the job's result.
 * Answers are keyed by this worker's own model version, never the one the job asked for, so a
 * mixed fleet during a rollout cannot file one model's answers under another's key.
 */
export function createScoreProcessor({ model, cache, cachePrefix, log }: ScoreProcessorDeps) {
  return async (job: Job<ScoreJobData, ScoreJobResult>): Promise<ScoreJobResult> => {
    const started = performance.now();
    const [score] = await model.score([job.data.applicant]);
    const modelMs = performance.now() - started;
    const key = scoreKey(cachePrefix, model.version, applicantCode(job.data.applicant));
    await cache.write([{ key, score: score! }]);
    log.debug({ jobId: job.id, reqId: job.data.requestId, modelVersion: model.version, modelMs }, 'scored');
    return score!;
  };
}
