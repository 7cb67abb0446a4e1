import type { Applicant } from '../../shared/applicant.js';
import { applicantCode, claimKey, scoreKey } from '../../shared/keys.js';
import { applicantId } from '../../shared/queues.js';

/** One distinct thing to score, with every name it goes by: public id, cache key and claim key. */
export interface Question {
  applicant: Applicant;
  modelVersion: string;
  code: string;
  /** The content address clients poll (`/jobs/{id}`) and waits are keyed by. */
  id: string;
  key: string;
  claimKey: string;
}

export function toQuestion(applicant: Applicant, cachePrefix: string, modelVersion: string): Question {
  const code = applicantCode(applicant);
  return {
    applicant,
    modelVersion,
    code,
    id: applicantId(modelVersion, code),
    key: scoreKey(cachePrefix, modelVersion, code),
    claimKey: claimKey(cachePrefix, modelVersion, code),
  };
}

/** The distinct questions among many, first occurrence kept: duplicates in one batch are scored once. */
export function distinct(questions: readonly Question[]): Question[] {
  return [...new Map(questions.map((q) => [q.code, q])).values()];
}
