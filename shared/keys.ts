/**
 * Every Redis key name the service writes, besides BullMQ's own (those live under QUEUE_PREFIX and
 * are named by BullMQ).
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
 * The Redis key of one applicant's cached answers: `s:1a2b3c4d:<11 characters>`, the applicant named
 * by the start of its opaque public id (shared/public-id.ts), so key names say nothing about a
 * person; the id is a one-to-one function of the model version and the applicant code, so
 * applicants the model cannot tell apart still share one entry. The model version is part of it,
 * so a new model never serves an old model's answers. Keys carry no hash tag: in a cluster they
 * spread across slots.
 */
export function scoreKey(prefix: string, modelVersion: string, applicantId: string): string {
  return `${prefix}:${modelVersion}:${applicantId.slice(0, CACHE_NAME_CHARS)}`;
}

/**
 * The record of one asynchronous batch (api/jobs/batch-store.ts). Batch ids are random
 * (unguessable), unlike single applicants' ids, which only the service can make.
 */
export function batchKey(prefix: string, batchId: string): string {
  return `${prefix}:batch:${batchId}`;
}

/**
 * Which job is scoring an applicant right now: `s:claim:1a2b3c4d:<public id>` → a BullMQ job id.
 * Set only if absent, so identical misses from any gateway replica land on one job. Lives on the
 * queue's Redis (it is queue bookkeeping, and must not be evicted while the job runs).
 */
export function claimKey(prefix: string, modelVersion: string, applicantId: string): string {
  return `${prefix}:claim:${modelVersion}:${applicantId}`;
}
