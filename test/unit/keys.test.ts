import { describe, expect, it } from 'vitest';
import {
  Applicant,
  FOREIGN_WORKER,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
} from '../../shared/applicant.js';
import { loadConfig } from '../../shared/config.js';
import { applicantCode, KeySpace } from '../../shared/keys.js';
import { ApplicantEncoding, encodingCode } from '../../shared/model-encoding.js';
import { newScoreJobId } from '../../shared/queues.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { DISTINCT_APPLICANTS, distinctApplicants } from '../support/distinct-applicants.js';

const fromWire = (json: string) => Applicant.parse(JSON.parse(json));

/** One share inside each installment band (< 0.20, 0.20–0.25, 0.25–0.35, ≥ 0.35). */
const BAND_SHARES = [0.1, 0.22, 0.3, 0.5];

/** Every applicant the API accepts, up to shares within one band: 4 × 103 × 2 × 5 × 5 = 20,600. */
function everyApiApplicant(): Applicant[] {
  const applicants: Applicant[] = [];
  for (const share of BAND_SHARES)
    for (let age = 18; age <= 120; age++)
      for (const foreign of FOREIGN_WORKER)
        for (const employment of PRESENT_EMPLOYMENT_SINCE)
          for (const status of PERSONAL_STATUS_AND_SEX)
            applicants.push({
              installment_rate_in_percentage_of_disposable_income: share,
              age_in_years: age,
              foreign_worker: foreign,
              present_employment_since: employment,
              personal_status_and_sex: status,
            });
  return applicants;
}

/** The model's inputs by the model card's definition (band code, max(0, 35 − age), categories). */
function modelInputs(a: Applicant): string {
  const share = a.installment_rate_in_percentage_of_disposable_income;
  const band = share < 0.2 ? 1 : share < 0.25 ? 2 : share < 0.35 ? 3 : 4;
  return [
    band,
    Math.max(0, 35 - a.age_in_years),
    a.foreign_worker,
    a.present_employment_since,
    a.personal_status_and_sex,
  ].join('|');
}

describe('applicantCode', () => {
  it('the example applicant -> 2052: levels 2 (band 3), 5 (years under 35), 0, 0, 2 in radices 4, 18, 2, 5, 5', () => {
    expect(applicantCode(EXAMPLE_APPLICANT)).toBe(String((((2 * 18 + 5) * 2 + 0) * 5 + 0) * 5 + 2));
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

  it('ages the model cannot tell apart (44 and 46: 0 years under 35) -> same code; 34 and 35 -> two codes', () => {
    const code = (age: number) => applicantCode({ ...EXAMPLE_APPLICANT, age_in_years: age });
    expect(code(44)).toBe(code(46));
    expect(code(35)).toBe(code(120));
    expect(code(34)).not.toBe(code(35));
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

  it('all 20,600 API applicants -> 3,600 codes, one per input vector the model sees, each ≤ 9 digits, no leading zero', () => {
    const codesByInputs = new Map<string, Set<string>>();
    const inputsByCode = new Map<string, Set<string>>();
    for (const applicant of everyApiApplicant()) {
      const [code, inputs] = [applicantCode(applicant), modelInputs(applicant)];
      expect(code).toMatch(/^(0|[1-9]\d{0,8})$/);
      codesByInputs.set(inputs, (codesByInputs.get(inputs) ?? new Set()).add(code));
      inputsByCode.set(code, (inputsByCode.get(code) ?? new Set()).add(inputs));
    }
    expect(codesByInputs.size).toBe(4 * 18 * 2 * 5 * 5);
    expect(inputsByCode.size).toBe(3600);
    expect([...codesByInputs.values()].every((codes) => codes.size === 1)).toBe(true);
    expect([...inputsByCode.values()].every((inputs) => inputs.size === 1)).toBe(true);
  });
});

describe('test applicants', () => {
  it('applicantNumber(0..3599) and distinctApplicants(0, 3600) -> 3,600 codes each', () => {
    expect(new Set(Array.from({ length: 3600 }, (_, n) => applicantCode(applicantNumber(n)))).size).toBe(3600);
    expect(distinctApplicants(0, DISTINCT_APPLICANTS)).toHaveLength(3600);
  });
});

describe("encodingCode (the key function, given another model's encoding)", () => {
  it('a model with other features gets its codes from its own encoding, with no change to the function', () => {
    const encoding = ApplicantEncoding.parse([
      { kind: 'oneHot', field: 'foreign_worker', categories: ['no', 'yes'] },
      { kind: 'yearsUnder', field: 'age_in_years', feature: 'age_years_under_25', knot: 25, minimum: 18 },
    ]);
    // Radices 2 and 8: yes -> 1; age 30 -> 0 and age 20 -> 5 years under 25.
    expect(encodingCode(encoding, EXAMPLE_APPLICANT)).toBe('8');
    expect(encodingCode(encoding, { ...EXAMPLE_APPLICANT, age_in_years: 20 })).toBe('13');
    expect(encodingCode(encoding, { ...EXAMPLE_APPLICANT, foreign_worker: 'no', age_in_years: 18 })).toBe('7');
  });

  it('an encoding whose codes would need 10 digits is refused', () => {
    const wide = Array.from({ length: 5 }, () => ({
      kind: 'band',
      field: 'age_in_years',
      feature: 'f',
      lowerBounds: Array.from({ length: 99 }, (_, i) => i),
    }));
    expect(ApplicantEncoding.safeParse(wide).success).toBe(false);
  });
});

describe('KeySpace and job ids', () => {
  it('carry the model version, so a new model never reads an old answer', () => {
    const keys = new KeySpace('s', 'scoring:bk');
    expect(keys.score('1a2b3c4d', '3030002')).toBe('s:1a2b3c4d:3030002');
    expect(keys.score('ffffffff', '3030002')).not.toBe(keys.score('1a2b3c4d', '3030002'));
  });

  it('default config: queue bookkeeping lives under its own prefix, beside the queue but without its hash tag', () => {
    const keys = KeySpace.of(loadConfig({}));
    const bookkeeping = [keys.claim('1a2b3c4d', 'x'), keys.batch('b'), keys.rateLimit('miss', 'c')];
    // The defaults as the README and .env.example give them: CACHE_PREFIX=s, QUEUE_PREFIX={scoring}.
    expect(bookkeeping).toEqual(['scoring:bk:claim:1a2b3c4d:x', 'scoring:bk:batch:b', 'scoring:bk:rl:miss:c']);
    expect(bookkeeping.some((key) => key.startsWith('s:'))).toBe(false);
  });

  it('BOOKKEEPING_PREFIX set: every bookkeeping key under it; a hash tag in it is refused', () => {
    const keys = KeySpace.of(loadConfig({ BOOKKEEPING_PREFIX: 'ops:q' }));
    expect(keys.claim('v', 'id')).toBe('ops:q:claim:v:id');
    expect(() => loadConfig({ BOOKKEEPING_PREFIX: '{ops}' })).toThrow(/BOOKKEEPING_PREFIX/);
  });

  it('job ids hold no colon (BullMQ forbids it) and never repeat', () => {
    const ids = Array.from({ length: 1000 }, newScoreJobId);
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
    expect(new Set(ids).size).toBe(1000);
  });
});
