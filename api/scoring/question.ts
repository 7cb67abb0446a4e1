import type { Applicant } from '../../shared/applicant.js';
import { applicantCode, type KeySpace } from '../../shared/keys.js';
import type { PublicIds } from '../../shared/public-id.js';

/** One distinct thing to score, with every name it goes by: public id, cache key and claim key. */
export interface Question {
  applicant: Applicant;
  modelVersion: string;
  code: string;
  /** The opaque id clients poll (`/jobs/{id}`), waits are keyed by, and Redis keys name the applicant by. */
  id: string;
  key: string;
  claimKey: string;
}

export function toQuestion(applicant: Applicant, keys: KeySpace, modelVersion: string, ids: PublicIds): Question {
  const code = applicantCode(applicant);
  const id = ids.forApplicant(modelVersion, code);
  return {
    applicant,
    modelVersion,
    code,
    id,
    key: keys.score(modelVersion, id),
    claimKey: keys.claim(modelVersion, id),
  };
}

/** The distinct questions among many, first occurrence kept: duplicates in one batch are scored once. */
export function distinct(questions: readonly Question[]): Question[] {
  return [...new Map(questions.map((q) => [q.code, q])).values()];
}
