import type { Applicant } from '../../shared/applicant.js';
import { applicantCode, scoreKey } from '../../shared/keys.js';
import { scoreJobId } from '../../shared/queues.js';

/** One distinct thing to score, with every name it goes by: cache key and job id. */
export interface Question {
  applicant: Applicant;
  modelVersion: string;
  code: string;
  key: string;
  jobId: string;
}

export function toQuestion(applicant: Applicant, cachePrefix: string, modelVersion: string): Question {
  const code = applicantCode(applicant);
  return {
    applicant,
    modelVersion,
    code,
    key: scoreKey(cachePrefix, modelVersion, code),
    jobId: scoreJobId(modelVersion, code),
  };
}

/** The distinct questions among many, first occurrence kept: duplicates in one batch are scored once. */
export function distinct(questions: readonly Question[]): Question[] {
  return [...new Map(questions.map((q) => [q.code, q])).values()];
}
