/**
 * Every Redis key name the service writes, besides BullMQ's own (those live under QUEUE_PREFIX and
 * are named by BullMQ).
 */
import {
  FOREIGN_WORKER,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
  installmentBand,
  type Applicant,
} from './applicant.js';

/**
 * The applicant as the model sees it, in seven characters: installment band (1–4), age (three
 * digits), then the indexes of foreign_worker, present_employment_since and personal_status_and_sex.
 * Applicants the model cannot tell apart (0.26 and 0.30 are both band 3) share one code, so at most
 * 4 × 103 × 2 × 5 × 5 = 20,600 codes exist. Field order, whitespace and `30` vs `30.0` are gone by
 * the time an Applicant is parsed, so the code is canonical by construction.
 */
export function applicantCode(applicant: Applicant): string {
  return (
    String(installmentBand(applicant.installment_rate_in_percentage_of_disposable_income)) +
    String(applicant.age_in_years).padStart(3, '0') +
    String(FOREIGN_WORKER.indexOf(applicant.foreign_worker)) +
    String(PRESENT_EMPLOYMENT_SINCE.indexOf(applicant.present_employment_since)) +
    String(PERSONAL_STATUS_AND_SEX.indexOf(applicant.personal_status_and_sex))
  );
}

/**
 * The Redis key of one applicant's cached answers: `s:1a2b3c4d:<public id>`, the applicant named by
 * its opaque public id (shared/public-id.ts), so key names say nothing about a person; the id is a
 * one-to-one function of the model version and the applicant code, so applicants the model cannot
 * tell apart still share one entry. The model version is part of it, so a new model never serves
 * an old model's answers. Keys carry no hash tag: in a cluster they spread across slots.
 */
export function scoreKey(prefix: string, modelVersion: string, applicantId: string): string {
  return `${prefix}:${modelVersion}:${applicantId}`;
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
