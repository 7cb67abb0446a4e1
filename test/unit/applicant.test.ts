import { describe, expect, it } from 'vitest';
import { Applicant, installmentBand } from '../../shared/applicant.js';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';

describe('Applicant schema', () => {
  it('accepts the example request as it is', () => {
    expect(Applicant.parse(EXAMPLE_APPLICANT)).toEqual(EXAMPLE_APPLICANT);
  });

  it('accepts "female: single", which the training data never saw', () => {
    expect(Applicant.safeParse({ ...EXAMPLE_APPLICANT, personal_status_and_sex: 'female: single' }).success).toBe(true);
  });

  it('rejects an unknown field, so a typo never scores a different applicant', () => {
    const { age_in_years: _age, ...rest } = EXAMPLE_APPLICANT;
    const result = Applicant.safeParse({ ...rest, age_in_year: 30 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.code).sort()).toEqual(['invalid_type', 'unrecognized_keys']);
  });

  it.each([
    ['installment share of 0', { installment_rate_in_percentage_of_disposable_income: 0 }],
    ['installment share above 1', { installment_rate_in_percentage_of_disposable_income: 1.01 }],
    ['installment share as a string', { installment_rate_in_percentage_of_disposable_income: '0.25' }],
    ['age 17', { age_in_years: 17 }],
    ['age 121', { age_in_years: 121 }],
    ['fractional age', { age_in_years: 30.5 }],
    ['unknown foreign_worker', { foreign_worker: 'maybe' }],
    ['unknown employment', { present_employment_since: '2 years' }],
    ['unknown status', { personal_status_and_sex: 'female: married' }],
  ])('rejects %s', (_name, change) => {
    expect(Applicant.safeParse({ ...EXAMPLE_APPLICANT, ...change }).success).toBe(false);
  });

  it('accepts the edges: share 1, ages 18 and 120', () => {
    for (const change of [
      { installment_rate_in_percentage_of_disposable_income: 1 },
      { age_in_years: 18 },
      { age_in_years: 120 },
    ]) {
      expect(Applicant.safeParse({ ...EXAMPLE_APPLICANT, ...change }).success).toBe(true);
    }
  });
});

describe('installmentBand', () => {
  it.each([
    [0.01, 1],
    [0.1999, 1],
    [0.2, 2],
    [0.2499, 2],
    [0.25, 3],
    [0.3499, 3],
    [0.35, 4],
    [1, 4],
  ])('share %f -> band %i (lower bounds inclusive)', (share, band) => {
    expect(installmentBand(share)).toBe(band);
  });
});
