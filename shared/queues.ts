import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { Score } from './score.js';

/** The one queue both processes use; its keys live under Config.QUEUE_PREFIX. */
export const SCORE_QUEUE = 'score';

/**
 * What the gateway puts in a job: the misses it gathered in one short window (see
 * api/scoring/miss-batcher.ts), each applicant under its public id, sealed (shared/job-seal.ts):
 * what Redis and Bull Board show in the clear is only how many, for which requests.
 */
export interface ScoreJobData {
  /** The model version the gateway expects; the worker stores answers under its own version. */
  modelVersion: string;
  /** How many applicants the seal holds. */
  count: number;
  /** JobSeal.seal of the job's items ({ id, applicant }[]); only holders of SERVICE_SECRET can open it. */
  sealed: string;
  /** The requests whose misses the job carries, so one id follows a request into the worker's logs and the board. */
  requestIds?: string[];
  /** The reply channel of the gateway that added the job (KeySpace.replyChannel); absent in jobs of older gateways. */
  replyTo?: string;
}

/** One applicant's outcome inside a job: its answers, or why the model could not score it. */
export const ScoreJobItemResult = z.union([
  z.object({ id: z.string(), score: Score }),
  z.object({ id: z.string(), error: z.string() }),
]);
export type ScoreJobItemResult = z.infer<typeof ScoreJobItemResult>;

/** What a finished job returns: each item's outcome, and how long the model took (shown in Bull Board). */
export const ScoreJobResult = z.object({ results: z.array(ScoreJobItemResult), modelMs: z.number() });
export type ScoreJobResult = z.infer<typeof ScoreJobResult>;

/** The score queue as both processes type it: sealed applicants in, each applicant's outcome out. */
export type ScoreQueue = Queue<ScoreJobData, ScoreJobResult>;

/**
 * What the worker publishes to the reply channels of the gateways waiting on a job (shared/keys.ts
 * replyChannel, replyRoutes): the job's outcome, once it is final. A failure names only the job:
 * each gateway knows which of its waits count on which job.
 */
export const ScoreReply = z.union([
  z.object({ jobId: z.string(), results: z.array(ScoreJobItemResult) }),
  z.object({ jobId: z.string(), failed: z.string() }),
]);
export type ScoreReply = z.infer<typeof ScoreReply>;

/** A fresh BullMQ job id for one gathered batch of misses (BullMQ forbids ':' in custom ids). */
export function newScoreJobId(): string {
  return `m-${randomUUID()}`;
}

/**
 * Job names are what operators read in Bull Board: how many applicants, and the first request
 * whose misses the job carries (its X-Request-Id), never anything about a person.
 */
export function scoreJobName(count: number, requestIds: readonly string[] = []): string {
  const size = `score ${count} applicant${count === 1 ? '' : 's'}`;
  if (requestIds.length === 0) return size;
  const more = requestIds.length > 1 ? ` (+${requestIds.length - 1})` : '';
  return `${size} · req ${requestIds[0]}${more}`;
}

export interface JobPolicy {
  attempts: number;
  backoffMs: number;
  retentionS: number;
}

/**
 * Options every score job gets. Completed jobs are kept a while for operators, but few of them:
 * the answer itself lives in the cache. Failed jobs stay for the retention period so a client or
 * an operator can see why.
 */
export function scoreJobOptions(policy: JobPolicy) {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { age: policy.retentionS, count: 1000 },
    removeOnFail: { age: policy.retentionS },
  } as const;
}
