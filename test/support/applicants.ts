import type { Applicant } from '../../shared/applicant.js';

/** The example request, exactly as a client sends it. */
export const EXAMPLE_APPLICANT: Applicant = {
  installment_rate_in_percentage_of_disposable_income: 0.25,
  age_in_years: 30,
  foreign_worker: 'yes',
  present_employment_since: 'unemployed',
  personal_status_and_sex: 'male: single',
};

/** A distinct applicant per `n` (0 ≤ n < 103 × 5): tests that need many new questions use these. */
export function applicantNumber(n: number): Applicant {
  const employment = ['unemployed', 'less than 1 year', '1 to 4 years', '4 to 7 years', '7 years or more'] as const;
  return {
    ...EXAMPLE_APPLICANT,
    age_in_years: 18 + (n % 103),
    present_employment_since: employment[Math.floor(n / 103) % 5]!,
  };
}
