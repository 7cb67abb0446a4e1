import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { HASH_SLOTS, hashSlot } from './hash-slot.js';
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

/**
 * A fresh BullMQ job id for one gathered batch of misses on queue shard `shard` (BullMQ forbids ':'
 * in custom ids): `m-<uuid>` on shard 0, as before shards existed, `m<shard>-<uuid>` on the others,
 * so whoever holds a job id (a claim, a poll) knows which shard's queue to ask.
 */
export function newScoreJobId(shard = 0): string {
  return `m${shard === 0 ? '' : shard}-${randomUUID()}`;
}

/** The queue shard a job id of newScoreJobId names (0 for any other id). Throws nothing. */
export function shardOfJob(jobId: string): number {
  const digits = /^m(\d+)-/.exec(jobId)?.[1];
  return digits === undefined ? 0 : Number(digits);
}

/**
 * The queue shard an applicant's misses go to, from its public id (shared/public-id.ts), which is
 * pseudorandom: FNV-1a of the id, modulo `shards`. The same applicant always lands on the same shard,
 * in every gateway, so its claim, its job and every coalesced wait meet on one queue. Throws nothing.
 */
export function shardOf(applicantId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < applicantId.length; i++) hash = Math.imul(hash ^ applicantId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/**
 * The BullMQ prefix of each queue shard (Config.QUEUE_SHARDS of them). BullMQ names a queue's keys
 * `${prefix}:${name}:…` and a cluster can only run a queue whose keys share a slot, so each shard
 * needs a hash tag of its own in the prefix. Shard 0 keeps QUEUE_PREFIX as it is (one shard names
 * exactly the keys of an unsharded service, and growing the shard count keeps the old queue served);
 * shard i > 0 puts `-<k>` inside the tag (`{scoring}` → `{scoring-3}`), with the smallest k whose
 * slot falls in a slice of the 16,384 slots (N equal slices) no earlier shard is in. A cluster's masters own equal slices
 * of slots by default, so N shards on N masters put a queue on each. A prefix without a hash tag
 * gets `-<k>` at its end. Throws nothing.
 */
export function queueShardPrefixes(queuePrefix: string, shards: number): string[] {
  const close = queuePrefix.indexOf('}', queuePrefix.indexOf('{') + 1);
  const hasTag = queuePrefix.includes('{') && close > queuePrefix.indexOf('{') + 1;
  const withSuffix = (k: number) =>
    hasTag ? `${queuePrefix.slice(0, close)}-${k}${queuePrefix.slice(close)}` : `${queuePrefix}-${k}`;
  const sliceOf = (prefix: string) => Math.floor((hashSlot(prefix) * shards) / HASH_SLOTS);
  const prefixes = [queuePrefix];
  const taken = new Set([sliceOf(queuePrefix)]);
  for (let k = 1; prefixes.length < shards; k++) {
    const candidate = withSuffix(k);
    const slice = sliceOf(candidate);
    if (taken.has(slice)) continue;
    taken.add(slice);
    prefixes.push(candidate);
  }
  return prefixes;
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
