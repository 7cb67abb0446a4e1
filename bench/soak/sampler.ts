import { scoreJobOptions } from '../../shared/queues.js';
import { rssBytes } from '../proc-cpu.js';
import type { QueueCounts } from '../queue-counts.js';
import type { ServiceStack } from '../service.js';
import type { AnswerCounts, Mishaps, StatusCounts } from './answer-counts.js';
import type { ApplicantTraffic } from './applicant-traffic.js';
import { totalOf, type KeyCensus, type KeyCounts } from './key-census.js';

/**
 * Time an answer or claim may be written after its request was sent (queueing, the model, retries
 * under CPU noise): a key may live TTL from then, so the windows of the bounds are TTL + this.
 */
export const WRITE_SLACK_S = 5;
/** Completed jobs BullMQ keeps at most, whatever their age (the service's own job options). */
export const RETAINED_COMPLETED_JOBS = scoreJobOptions({ attempts: 1, backoffMs: 0, retentionS: 1 }).removeOnComplete
  .count;
/** A job not yet completed has its hash and, while running, a lock. */
const KEYS_PER_JOB_IN_FLIGHT = 2;
const MIB = 1024 * 1024;

export type Phase = 'warm-up' | 'soak';

/** One look at the service under load. Answer counts and mishaps are cumulative from the start of the load. */
export interface Sample {
  atS: number;
  phase: Phase;
  rssMiB: { gateway: number; worker: number };
  keys: KeyCounts;
  /** The most keys of each kind the service may hold at that moment, from what the soak has sent. */
  bound: KeyCounts;
  answers: StatusCounts;
  mishaps: Mishaps;
}

export interface SamplerDeps {
  stack: ServiceStack;
  gatewayPid: number;
  workerPid: number;
  census: KeyCensus;
  queue: QueueCounts;
  applicants: ApplicantTraffic;
  counts: AnswerCounts;
  batchesSubmitted: readonly number[];
  /** CACHE_TTL_SECONDS, equal to JOB_RETENTION_SECONDS here. */
  ttlS: number;
  loadStartedMs: number;
}

/** Takes samples: RSS from /proc, keys by SCAN, and the bound each kind of key must stay under. */
export class Sampler {
  constructor(private readonly deps: SamplerDeps) {}

  async take(phase: Phase): Promise<Sample> {
    const { deps } = this;
    const rssMiB = { gateway: rssBytes(deps.gatewayPid) / MIB, worker: rssBytes(deps.workerPid) / MIB };
    const startedMs = performance.now();
    const [unfinishedBefore, workBefore] = await Promise.all([deps.queue.unfinished(), deps.stack.workerCounts()]);
    const keys = await deps.census.count();
    const [unfinishedAfter, workAfter] = await Promise.all([deps.queue.unfinished(), deps.stack.workerCounts()]);

    // The hit stream sends the whole warm set every fraction of a second.
    deps.applicants.warmSetSentNow();
    const sinceMs = startedMs - (deps.ttlS + WRITE_SLACK_S) * 1000;
    const sentRecently = deps.applicants.sentSince(sinceMs);
    const bound = totalOf({
      answers: sentRecently,
      // Claims live JOB_RETENTION_SECONDS, the same as the TTL here; only misses claim, every applicant counted.
      claims: sentRecently,
      batchRecords: deps.batchesSubmitted.filter((at) => at >= sinceMs).length,
      // A gateway registers for another's job only for a miss it coalesced: at most one per applicant sent.
      replyRoutes: sentRecently,
      // SCAN is no snapshot: it may see any key that lived while it ran. BullMQ keeps at most
      // RETAINED_COMPLETED_JOBS completed at any instant; besides those, every job unfinished when the
      // scan began and every job added during it (unfinished at its end, or completed meanwhile) may
      // show its hash and its lock.
      jobs:
        RETAINED_COMPLETED_JOBS +
        KEYS_PER_JOB_IN_FLIGHT *
          (unfinishedBefore + unfinishedAfter + (workAfter.jobsCompleted - workBefore.jobsCompleted)) +
        workAfter.jobsFailed,
      queue: deps.census.queueKeyNames,
      other: 0,
    });
    return {
      atS: (startedMs - deps.loadStartedMs) / 1000,
      phase,
      rssMiB,
      keys,
      bound,
      answers: deps.counts.snapshot(),
      mishaps: { ...deps.counts.mishaps },
    };
  }
}
