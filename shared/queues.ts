import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Applicant } from './applicant.js';
import { Score } from './score.js';

/** The one queue both processes use; its keys live under Config.QUEUE_PREFIX. */
export const SCORE_QUEUE = 'score';

/**
 * What the gateway puts in a job: the misses it gathered in one short window (see
 * api/scoring/miss-batcher.ts), each under its public id. Nothing but the five fields is applicant data.
 */
export interface ScoreJobData {
  /** The model version the gateway expects; the worker stores answers under its own version. */
  modelVersion: string;
  items: Array<{ id: string; applicant: Applicant }>;
  /** The requests whose misses the job carries, so one id follows a request into the worker's logs. */
  requestIds?: string[];
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

/** A fresh BullMQ job id for one gathered batch of misses (BullMQ forbids ':' in custom ids). */
export function newScoreJobId(): string {
  return `m-${randomUUID()}`;
}

/**
 * Job names are what operators read in Bull Board: how many applicants and which codes, never
 * personal data.
 */
export function scoreJobName(codes: readonly string[]): string {
  const shown = codes.slice(0, 3).join(' ');
  return codes.length <= 3 ? `score ${shown}` : `score ${codes.length}: ${shown} …`;
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
