import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { applicantCode, scoreKey } from '../shared/keys.js';
import type { ScoreJobData, ScoreJobResult } from '../shared/queues.js';
import type { Score } from '../shared/score.js';
import type { ScoreCache } from '../shared/score-cache.js';
import type { ScoringModel } from './credit-model.js';
import type { WorkerMetrics } from './worker-metrics.js';

export interface ScoreProcessorDeps {
  model: ScoringModel;
  cache: ScoreCache;
  cachePrefix: string;
  jobTimeoutMs: number;
  metrics: WorkerMetrics;
  log: Logger;
}

/** Thrown when the model overruns JOB_TIMEOUT_MS; the attempt fails and BullMQ retries it. */
export class ModelTimeout extends Error {
  override name = 'ModelTimeout';
}

/**
 * The model's run, bounded: BullMQ has no job timeout, and an onnxruntime run cannot be cancelled,
 * so a run that overruns is abandoned (its late answer is dropped) and the attempt fails.
 */
async function scoreWithin(model: ScoringModel, job: Job<ScoreJobData>, timeoutMs: number): Promise<Score> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ModelTimeout(`the model did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const [score] = await Promise.race([model.score([job.data.applicant]), overrun]);
    return score!;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the model for one job, stores the answers before returning them (a waiting gateway that
 * misses the completion event finds them in the cache), and returns them as the job's result.
 * Answers are keyed by this worker's own model version, never the one the job asked for, so a
 * mixed fleet during a rollout cannot file one model's answers under another's key.
 */
export function createScoreProcessor({ model, cache, cachePrefix, jobTimeoutMs, metrics, log }: ScoreProcessorDeps) {
  return async (job: Job<ScoreJobData, ScoreJobResult>): Promise<ScoreJobResult> => {
    const started = performance.now();
    const score = await scoreWithin(model, job, jobTimeoutMs);
    const modelMs = performance.now() - started;
    metrics.inferenceSeconds.observe(modelMs / 1000);
    metrics.batchSize.observe(1);
    const key = scoreKey(cachePrefix, model.version, applicantCode(job.data.applicant));
    await cache.write([{ key, score }]);
    log.debug({ jobId: job.id, reqId: job.data.requestId, modelVersion: model.version, modelMs }, 'scored');
    return { score, modelMs };
  };
}
