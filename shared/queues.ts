import { z } from 'zod';
import type { Applicant } from './applicant.js';
import { Score } from './score.js';

/** The one queue both processes use; its keys live under Config.QUEUE_PREFIX. */
export const SCORE_QUEUE = 'score';

/** What the gateway puts in a job. Nothing but the five fields is applicant data. */
export interface ScoreJobData {
  applicant: Applicant;
  /** The model version the gateway expects; the worker stores answers under its own version. */
  modelVersion: string;
  requestId?: string;
}

/** What a finished job returns: the answers, and how long the model took (shown in Bull Board). */
export const ScoreJobResult = z.object({ score: Score, modelMs: z.number() });
export type ScoreJobResult = z.infer<typeof ScoreJobResult>;

/**
 * Job ids are content addresses (model version + applicant code), so identical concurrent misses,
 * from any gateway replica, land on one job and one model run, and a poll for a finished job is
 * answered from the cache after BullMQ has trimmed it. BullMQ forbids ':' in custom ids.
 */
export function scoreJobId(modelVersion: string, code: string): string {
  return `${modelVersion}-${code}`;
}

const SCORE_JOB_ID = /^([0-9a-f]{8})-([1-4]\d{3}[01][0-4][0-4])$/;

/** The model version and applicant code inside a score job id; undefined for anything else. */
export function parseScoreJobId(jobId: string): { modelVersion: string; code: string } | undefined {
  const match = SCORE_JOB_ID.exec(jobId);
  return match ? { modelVersion: match[1]!, code: match[2]! } : undefined;
}

/** Job names are what operators read in Bull Board: the applicant code, never personal data. */
export function scoreJobName(code: string): string {
  return `score ${code}`;
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
