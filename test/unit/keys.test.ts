import { describe, expect, it } from 'vitest';
import { Applicant } from '../../shared/applicant.js';
import { applicantCode, scoreKey } from '../../shared/keys.js';
import { newScoreJobId } from '../../shared/queues.js';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';

const fromWire = (json: string) => Applicant.parse(JSON.parse(json));

describe('applicantCode', () => {
  it('the example applicant -> band 3, age 030, yes, unemployed, male: single', () => {
    expect(applicantCode(EXAMPLE_APPLICANT)).toBe('3030002');
  });

  it('same applicant with keys in another order, other whitespace and 30.0 -> same code', () => {
    const a = fromWire(
      '{"installment_rate_in_percentage_of_disposable_income":0.25,"age_in_years":30,"foreign_worker":"yes","present_employment_since":"unemployed","personal_status_and_sex":"male: single"}',
    );
    const b = fromWire(
      '{ "personal_status_and_sex" : "male: single",\n "age_in_years": 30.0, "foreign_worker":"yes",\t"present_employment_since":"unemployed", "installment_rate_in_percentage_of_disposable_income": 2.5e-1 }',
    );
    expect(applicantCode(b)).toBe(applicantCode(a));
  });

  it('shares the model cannot tell apart (same band) -> same code; another band -> another code', () => {
    const code = (share: number) =>
      applicantCode({ ...EXAMPLE_APPLICANT, installment_rate_in_percentage_of_disposable_income: share });
    expect(code(0.26)).toBe(code(0.34));
    expect(code(0.2499)).not.toBe(code(0.25));
  });

  it('every field changes the code', () => {
    const base = applicantCode(EXAMPLE_APPLICANT);
    const changes: Partial<Applicant>[] = [
      { age_in_years: 31 },
      { foreign_worker: 'no' },
      { present_employment_since: '7 years or more' },
      { personal_status_and_sex: 'female: single' },
    ];
    for (const change of changes) expect(applicantCode({ ...EXAMPLE_APPLICANT, ...change })).not.toBe(base);
  });

  it('is seven characters for every age, 18 to 120', () => {
    for (const age of [18, 99, 120]) expect(applicantCode({ ...EXAMPLE_APPLICANT, age_in_years: age })).toHaveLength(7);
  });
});

describe('scoreKey and job ids', () => {
  it('carry the model version, so a new model never reads an old answer', () => {
    expect(scoreKey('s', '1a2b3c4d', '3030002')).toBe('s:1a2b3c4d:3030002');
    expect(scoreKey('s', 'ffffffff', '3030002')).not.toBe(scoreKey('s', '1a2b3c4d', '3030002'));
  });

  it('job ids hold no colon (BullMQ forbids it) and never repeat', () => {
    const ids = Array.from({ length: 1000 }, newScoreJobId);
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
    expect(new Set(ids).size).toBe(1000);
  });
});
