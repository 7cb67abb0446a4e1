/**
 * Every Redis key name the service writes, besides BullMQ's own (those live under QUEUE_PREFIX and
 * are named by BullMQ; queue names and job ids come from shared/queues.ts).
 */
import type { Applicant } from './applicant.js';
import { keyedModelOfBuild } from './key-encoding.js';
import { encodingCode } from './model-encoding.js';

/**
 * The applicant as the model sees it: the levels of its fields under the encoding declared in the
 * model's manifest (installment band, years under the age knot, category indexes), as one decimal
 * number of at most 9 digits without leading zeros (shared/model-encoding.ts). Applicants the model
 * cannot tell apart (0.26 and 0.30 are both band 3; ages 44 and 46 are both 0 years under 35) share
 * one code: 3,600 codes for model 79144bd9. Field order, whitespace and `30` vs `30.0` are gone by
 * the time an Applicant is parsed, so the code is canonical by construction.
 */
export function applicantCode(applicant: Applicant): string {
  return encodingCode(keyedModelOfBuild().encoding, applicant);
}

/**
 * Characters of the public id that name a cache entry: 66 of its 128 pseudorandom bits. Enough to
 * tell a model version's 3,600 applicants apart (the chance of any two sharing a name is about
 * 1e-13), and short enough that an entry, key and hash, stays within 128 bytes.
 */
const CACHE_NAME_CHARS = 11;

/**
 * Every Redis name of the service outside BullMQ's own keys, from two prefixes, as BullMQ builds
 * every key of a queue from one QueueKeys object. Answers live under the cache prefix, on a Redis
 * that may evict; queue bookkeeping (claims, batch records, rate-limit counters) lives under its
 * own prefix, on the queue's Redis that never evicts, so neither can be mistaken for the other by a
 * SCAN, an eviction policy or an operator's cleanup. Applicants are named by their opaque public id
 * (shared/public-id.ts), so key names say nothing about a person. No key carries a hash tag: in a
 * cluster they spread across slots. Throws nothing.
 */
export class KeySpace {
  constructor(
    /** Config.CACHE_PREFIX. */
    readonly cachePrefix: string,
    /** Config.BOOKKEEPING_PREFIX. */
    readonly bookkeepingPrefix: string,
  ) {}

  /** The key space a config names. */
  static of(config: { CACHE_PREFIX: string; BOOKKEEPING_PREFIX: string }): KeySpace {
    return new KeySpace(config.CACHE_PREFIX, config.BOOKKEEPING_PREFIX);
  }

  /**
   * One applicant's cached answers: `s:1a2b3c4d:<11 characters>`, the start of its public id. The
   * public id is a one-to-one function of the model version and the applicant code, so applicants
   * the model cannot tell apart share one entry; the model version is part of it, so a new model
   * never serves an old model's answers. `score(v, '')` is the prefix of every answer of model v.
   */
  score(modelVersion: string, applicantId: string): string {
    return `${this.cachePrefix}:${modelVersion}:${applicantId.slice(0, CACHE_NAME_CHARS)}`;
  }

  /**
   * Which job is scoring an applicant: `scoring:bk:claim:1a2b3c4d:<public id>` → a BullMQ job id.
   * Set only if absent, so identical misses from any gateway replica land on one job.
   */
  claim(modelVersion: string, applicantId: string): string {
    return `${this.bookkeepingPrefix}:claim:${modelVersion}:${applicantId}`;
  }

  /** The record of one asynchronous batch (api/jobs/batch-store.ts); batch ids are random, unguessable. */
  batch(batchId: string): string {
    return `${this.bookkeepingPrefix}:batch:${batchId}`;
  }

  /**
   * The pub/sub channel one gateway process hears its jobs' outcomes on (`gatewayId` is random per
   * process). A job names its adding gateway's channel in its data (ScoreJobData.replyTo).
   */
  replyChannel(gatewayId: string): string {
    return `${this.bookkeepingPrefix}:reply:${gatewayId}`;
  }

  /**
   * The set of further reply channels of one job: gateways that coalesced misses onto a job another
   * gateway added register here, and the worker publishes the job's outcome to each.
   */
  replyRoutes(jobId: string): string {
    return `${this.bookkeepingPrefix}:replies:${jobId}`;
  }

  /** One client's counter of one budget (`miss`, `write`) in the current window (api/scoring/client-budget.ts). */
  rateLimit(budget: string, client: string): string {
    return `${this.bookkeepingPrefix}:rl:${budget}:${client}`;
  }

  /** One portfolio's record (status, counts, owner); its id is random (api/portfolios/). */
  portfolio(portfolioId: string): string {
    return `${this.bookkeepingPrefix}:pf:${portfolioId}`;
  }

  /** One stored chunk of a portfolio's rows (sealed codes and line numbers). */
  portfolioRows(portfolioId: string, chunk: number): string {
    return `${this.bookkeepingPrefix}:pf:${portfolioId}:in:${chunk}`;
  }

  /** One chunk's answers, one per distinct code. */
  portfolioAnswers(portfolioId: string, chunk: number): string {
    return `${this.bookkeepingPrefix}:pf:${portfolioId}:out:${chunk}`;
  }

  /** A client's unfinished portfolios (client as the budgets name it: its address, IPv6 by /56). */
  activePortfolios(client: string): string {
    return `${this.bookkeepingPrefix}:pf:active:${client}`;
  }
}
