import type { Applicant } from '../../shared/applicant.js';
import { applicantCode } from '../../shared/keys.js';
import { EXAMPLE_APPLICANT } from './applicants.js';

// The model tells ages 18–35 apart; from 35 on every age is "0 years under 35".
const AGES = 18;
const EMPLOYMENT = ['unemployed', 'less than 1 year', '1 to 4 years', '4 to 7 years', '7 years or more'] as const;
/** One share inside each installment band (< 0.20, 0.20–0.25, 0.25–0.35, ≥ 0.35). */
const INSTALLMENT_SHARES = [0.1, 0.22, 0.3, 0.5] as const;
const FOREIGN_WORKER = ['yes', 'no'] as const;
const PERSONAL_STATUS = [
  'male: single',
  'male: divorced/separated',
  'female: divorced/separated/married',
  'male: married/widowed',
  'female: single',
] as const;

/** How many distinct applicants (distinct cache keys, distinct job ids) `distinctApplicant` yields. */
export const DISTINCT_APPLICANTS =
  AGES * EMPLOYMENT.length * INSTALLMENT_SHARES.length * FOREIGN_WORKER.length * PERSONAL_STATUS.length;

/**
 * The n-th of the 3,600 applicants the model can tell apart (0 ≤ n < DISTINCT_APPLICANTS): age
 * varies fastest, then employment, installment band, foreign_worker and personal status. Tests that
 * need 1,000 new questions take a range of these; two ranges that do not overlap share no cache key.
 */
export function distinctApplicant(n: number): Applicant {
  if (!Number.isInteger(n) || n < 0 || n >= DISTINCT_APPLICANTS) throw new RangeError(`no distinct applicant ${n}`);
  return {
    ...EXAMPLE_APPLICANT,
    age_in_years: 18 + (n % AGES),
    present_employment_since: EMPLOYMENT[Math.floor(n / AGES) % EMPLOYMENT.length]!,
    installment_rate_in_percentage_of_disposable_income:
      INSTALLMENT_SHARES[Math.floor(n / (AGES * EMPLOYMENT.length)) % INSTALLMENT_SHARES.length]!,
    foreign_worker: FOREIGN_WORKER[Math.floor(n / (AGES * EMPLOYMENT.length * INSTALLMENT_SHARES.length)) % 2]!,
    personal_status_and_sex:
      PERSONAL_STATUS[Math.floor(n / (AGES * EMPLOYMENT.length * INSTALLMENT_SHARES.length * FOREIGN_WORKER.length))]!,
  };
}

/** `count` distinct applicants starting at `from`, checked to have distinct applicant codes. */
export function distinctApplicants(from: number, count: number): Applicant[] {
  const applicants = Array.from({ length: count }, (_, i) => distinctApplicant(from + i));
  const codes = new Set(applicants.map(applicantCode));
  if (codes.size !== count) throw new Error(`only ${codes.size} distinct codes among ${count} applicants`);
  return applicants;
}
