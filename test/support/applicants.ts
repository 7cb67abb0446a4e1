import type { Applicant } from '../../shared/applicant.js';

/** The example request, exactly as a client sends it. */
export const EXAMPLE_APPLICANT: Applicant = {
  installment_rate_in_percentage_of_disposable_income: 0.25,
  age_in_years: 30,
  foreign_worker: 'yes',
  present_employment_since: 'unemployed',
  personal_status_and_sex: 'male: single',
};

/**
 * A distinct applicant per `n` (0 ≤ n < 3,600, one per code the model tells apart): age 18–35
 * varies fastest (older ages are all "0 years under 35" to the model), then employment, personal
 * status, foreign_worker and installment band. Tests that need many new questions use these.
 */
export function applicantNumber(n: number): Applicant {
  const employment = ['unemployed', 'less than 1 year', '1 to 4 years', '4 to 7 years', '7 years or more'] as const;
  const status = [
    'male: single',
    'male: divorced/separated',
    'female: divorced/separated/married',
    'male: married/widowed',
    'female: single',
  ] as const;
  return {
    installment_rate_in_percentage_of_disposable_income: [0.25, 0.1, 0.22, 0.5][Math.floor(n / 900) % 4]!,
    age_in_years: 18 + (n % 18),
    foreign_worker: (['yes', 'no'] as const)[Math.floor(n / 450) % 2]!,
    present_employment_since: employment[Math.floor(n / 18) % 5]!,
    personal_status_and_sex: status[Math.floor(n / 90) % 5]!,
  };
}
