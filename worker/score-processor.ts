import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Applicant } from '../shared/applicant.js';
import { ModelTimeout } from '../shared/errors.js';
import type { JobSeal, SealedItems } from '../shared/job-seal.js';
import type { PublicIds } from '../shared/public-id.js';
import { applicantCode, type KeySpace } from '../shared/keys.js';
import type { ScoreJobData, ScoreJobItemResult, ScoreJobResult } from '../shared/queues.js';
import type { Score } from '../shared/score.js';
import type { ScoreCache } from '../shared/score-cache.js';
import type { ScoringModel } from './credit-model.js';
import type { WorkerMetrics } from './worker-metrics.js';

export interface ScoreProcessorDeps {
  model: ScoringModel;
  /** Opens each job's sealed applicants (the gateway sealed them under the same SERVICE_SECRET). */
  seal: JobSeal;
  /** Names applicants in cache keys, as the gateway does. */
  ids: PublicIds;
  cache: ScoreCache;
  keys: KeySpace;
  jobTimeoutMs: number;
  /**
   * Tells the gateways waiting on a job its applicants' outcomes; called once they are stored, and
   * never throws (a reply that cannot go out is logged; the waits time out and their clients poll).
   */
  reply: (job: Job<ScoreJobData, ScoreJobResult>, results: ScoreJobItemResult[]) => void;
  /**
   * The reply goes out on the connection the cache writes use: then it is sent right behind them,
   * unawaited (Redis runs one connection's commands in order, so it still follows them, and both
   * leave in one socket write). Otherwise it waits for the writes' answer.
   */
  replyBehindWrites: boolean;
  metrics: WorkerMetrics;
  log: Logger;
}

/**
 * One model run, bounded: BullMQ has no job timeout, and an onnxruntime run cannot be cancelled,
 * so a run that overruns is abandoned (its late answer is dropped) and the attempt fails.
 */
async function scoreWithin(model: ScoringModel, applicants: Applicant[], timeoutMs: number): Promise<Score[]> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ModelTimeout(`the model did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([model.score(applicants), overrun]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every applicant of a job in one model run. When the run fails for another reason than time, each
 * applicant is run alone, so one applicant the model cannot score does not fail the others.
 */
async function scoreEach(
  model: ScoringModel,
  applicants: Applicant[],
  timeoutMs: number,
): Promise<Array<Score | Error>> {
  try {
    return await scoreWithin(model, applicants, timeoutMs);
  } catch (error) {
    if (error instanceof ModelTimeout || applicants.length === 1) throw error;
    return Promise.all(
      applicants.map((applicant) =>
        scoreWithin(model, [applicant], timeoutMs).then(
          ([score]) => score!,
          (itemError: unknown) => (itemError instanceof Error ? itemError : new Error(String(itemError))),
        ),
      ),
    );
  }
}

/** A seal this worker cannot open (another SERVICE_SECRET, altered data) never will: fail the job without retries. */
function unsealItems(seal: JobSeal, data: ScoreJobData): SealedItems {
  try {
    return seal.unseal(data.sealed);
  } catch (error) {
    throw new UnrecoverableError(error instanceof Error ? error.message : 'the job data does not unseal');
  }
}

/**
 * Runs the model for one job's applicants, stores the answers, then replies to the waiting gateways
 * at once, before BullMQ marks the job completed (that round trip is off the miss's critical path;
 * a gateway that registers for the job later and finds it still active reads the cache, see
 * api/scoring/job-enqueuer.ts), and returns each applicant's outcome as the job's result. Answers are keyed by this worker's own model version, never the one
 * the job asked for, so a mixed fleet during a rollout cannot file one model's answers under
 * another's key. A job none of whose applicants could be scored fails (and is retried).
 */
export function createScoreProcessor({
  model,
  seal,
  ids,
  cache,
  keys,
  jobTimeoutMs,
  reply,
  replyBehindWrites,
  metrics,
  log,
}: ScoreProcessorDeps) {
  return async (job: Job<ScoreJobData, ScoreJobResult>): Promise<ScoreJobResult> => {
    const items = unsealItems(seal, job.data);
    // Answers go under this worker's own version: the item's id names the gateway's (see above).
    const answerId = (item: SealedItems[number]) =>
      model.version === job.data.modelVersion
        ? item.id
        : ids.forApplicant(model.version, applicantCode(item.applicant));
    const started = performance.now();
    const outcomes = await scoreEach(
      model,
      items.map((item) => item.applicant),
      jobTimeoutMs,
    );
    const modelMs = performance.now() - started;
    metrics.inferenceSeconds.observe(modelMs / 1000);
    metrics.batchSize.observe(items.length);

    const scored = items.flatMap((item, i) => {
      const outcome = outcomes[i]!;
      return outcome instanceof Error ? [] : [{ key: keys.score(model.version, answerId(item)), score: outcome }];
    });
    if (scored.length === 0) throw outcomes[0] as Error;
    const results = items.map((item, i): ScoreJobItemResult => {
      const outcome = outcomes[i]!;
      return outcome instanceof Error ? { id: item.id, error: outcome.message } : { id: item.id, score: outcome };
    });
    const written = cache.write(scored);
    if (!replyBehindWrites) await written;
    reply(job, results);
    await written;
    log.debug(
      { jobId: job.id, reqIds: job.data.requestIds, items: items.length, modelVersion: model.version, modelMs },
      'scored',
    );
    return { results, modelMs };
  };
}
