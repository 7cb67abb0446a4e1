import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FOREIGN_WORKER,
  MAX_AGE_YEARS,
  MIN_AGE_YEARS,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
  type Applicant,
} from '../../shared/applicant.js';
import { Stack } from '../support/stack.js';
import { ageKnot, expectedAnswer, readOracleManifest } from './manifest-scorer.js';

const manifest = readOracleManifest();
const knot = ageKnot(manifest);
/** The API's age limits, the knot and its neighbours, and an age inside the data's range. */
const AGES = [MIN_AGE_YEARS, MIN_AGE_YEARS + 1, knot - 1, knot, knot + 1, 50, MAX_AGE_YEARS];
/** Each band's edges: just below and at every lower bound, the smallest share and the largest. */
const SHARES = [
  0.01,
  ...manifest.installmentBandLowerBounds.flatMap((bound) => [Math.round((bound - 0.0001) * 1e4) / 1e4, bound]),
  1,
];
/** Probabilities are answered to 6 places; the oracle's is unrounded. */
const HALF_LAST_PLACE = 0.5e-6 + 1e-12;

/**
 * 7 × 8 × 10 applicants: every age edge with every share edge (56 pairs, i mod 56), and every
 * (foreign_worker, employment, status) level of each field cycling underneath, so each level, band
 * edge and age edge occurs, in many combinations.
 */
function sample(): Applicant[] {
  const count = AGES.length * SHARES.length * 10;
  return Array.from({ length: count }, (_, i) => ({
    installment_rate_in_percentage_of_disposable_income: SHARES[i % SHARES.length]!,
    age_in_years: AGES[i % AGES.length]!,
    foreign_worker: FOREIGN_WORKER[i % FOREIGN_WORKER.length]!,
    present_employment_since: PRESENT_EMPLOYMENT_SINCE[Math.floor(i / 2) % PRESENT_EMPLOYMENT_SINCE.length]!,
    personal_status_and_sex: PERSONAL_STATUS_AND_SEX[Math.floor(i / 10) % PERSONAL_STATUS_AND_SEX.length]!,
  }));
}

interface Answer {
  decision: string;
  probability: number;
  risk_category: string;
  model_version: string;
}

function expectAnswer(answer: Answer, applicant: Applicant, what: string): void {
  const expected = expectedAnswer(manifest, applicant);
  expect(answer.decision, what).toBe(expected.decision);
  expect(answer.risk_category, what).toBe(expected.risk_category);
  expect(answer.model_version, what).toBe(expected.model_version);
  expect(Math.abs(answer.probability - expected.probability), what).toBeLessThanOrEqual(HALF_LAST_PLACE);
  expect(Number(answer.probability.toFixed(6)), `${what}: 6 places`).toBe(answer.probability);
}

describe('oracle: every answer equals the one the manifest’s coefficients and thresholds give (real gateway, queue, worker, model)', () => {
  let stack: Stack;
  const applicants = sample();

  beforeAll(async () => {
    stack = await Stack.start({ SYNC_WAIT_MS: '30000' });
    await stack.startWorker();
  });
  afterAll(() => stack?.stop());

  it('the sample covers every level of each field, every band and age edge, and every decision and risk category', () => {
    const seen = (pick: (a: Applicant) => unknown) => new Set(applicants.map(pick));
    expect(seen((a) => a.foreign_worker)).toEqual(new Set(FOREIGN_WORKER));
    expect(seen((a) => a.present_employment_since)).toEqual(new Set(PRESENT_EMPLOYMENT_SINCE));
    expect(seen((a) => a.personal_status_and_sex)).toEqual(new Set(PERSONAL_STATUS_AND_SEX));
    expect(seen((a) => a.age_in_years)).toEqual(new Set(AGES));
    expect(seen((a) => a.installment_rate_in_percentage_of_disposable_income)).toEqual(new Set(SHARES));
    expect(SHARES).toEqual([0.01, 0.1999, 0.2, 0.2499, 0.25, 0.3499, 0.35, 1]);
    const answers = applicants.map((a) => expectedAnswer(manifest, a));
    expect(new Set(answers.map((a) => a.decision))).toEqual(new Set(['ACCEPT', 'DECLINE']));
    expect(new Set(answers.map((a) => a.risk_category))).toEqual(new Set(['LOW', 'MEDIUM', 'HIGH']));
  });

  it(`POST /scores, one applicant at a time (8 at once): each answer equals the oracle's`, async () => {
    let compared = 0;
    for (let from = 0; from < applicants.length; from += 8) {
      const chunk = applicants.slice(from, from + 8);
      const responses = await Promise.all(chunk.map((a) => stack.post('/scores', a)));
      for (const [i, response] of responses.entries()) {
        const what = `applicant ${from + i}: ${JSON.stringify(chunk[i])}`;
        expect(response.status, what).toBe(200);
        expect(response.headers.get('x-model-version'), what).toBe(manifest.version);
        expectAnswer((await response.json()) as Answer, chunk[i]!, what);
        compared += 1;
      }
    }
    expect(compared).toBe(applicants.length);
  });

  it('POST /scores/batch with the sample reversed: every result equals the oracle’s, in request order', async () => {
    const reversed = [...applicants].reverse();
    const response = await stack.post('/scores/batch', { applicants: reversed });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Answer[] };
    expect(results).toHaveLength(reversed.length);
    results.forEach((answer, i) => expectAnswer(answer, reversed[i]!, `batch item ${i}`));
  });
});
