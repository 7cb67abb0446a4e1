import {
  FOREIGN_WORKER,
  MIN_AGE_YEARS,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
  type Applicant,
} from '../shared/applicant.js';

/** One share inside each of the four installment bands the model distinguishes (< 0.2, < 0.25, < 0.35, ≥ 0.35). */
const BAND_SHARES = [0.1, 0.22, 0.3, 0.5] as const;
// The model sees max(0, 35 − age): ages 18–35 are the ones it tells apart.
const AGES = 35 - MIN_AGE_YEARS + 1;

/**
 * Applicants the model can tell apart, hence distinct cache entries: 4 × 18 × 2 × 5 × 5 = 3,600
 * per model version (shared/keys.ts applicantCode). A namespace has no more never-seen applicants.
 */
export const DISTINCT_APPLICANTS =
  BAND_SHARES.length * AGES * FOREIGN_WORKER.length * PRESENT_EMPLOYMENT_SINCE.length * PERSONAL_STATUS_AND_SEX.length;

/** The n-th distinct applicant (0 ≤ n < DISTINCT_APPLICANTS), every field a digit of n in mixed radix. */
export function applicantAt(n: number): Applicant {
  if (!Number.isInteger(n) || n < 0 || n >= DISTINCT_APPLICANTS) throw new RangeError(`no applicant ${n}`);
  let rest = n;
  const digit = (radix: number) => {
    const value = rest % radix;
    rest = Math.floor(rest / radix);
    return value;
  };
  return {
    installment_rate_in_percentage_of_disposable_income: BAND_SHARES[digit(BAND_SHARES.length)]!,
    age_in_years: MIN_AGE_YEARS + digit(AGES),
    foreign_worker: FOREIGN_WORKER[digit(FOREIGN_WORKER.length)]!,
    present_employment_since: PRESENT_EMPLOYMENT_SINCE[digit(PRESENT_EMPLOYMENT_SINCE.length)]!,
    personal_status_and_sex: PERSONAL_STATUS_AND_SEX[digit(PERSONAL_STATUS_AND_SEX.length)]!,
  };
}

export function applicantBody(n: number): string {
  return JSON.stringify(applicantAt(n));
}

/** Applicants [from, from + count) as one POST /scores/batch body. */
export function batchBody(from: number, count: number): string {
  return JSON.stringify({ applicants: Array.from({ length: count }, (_, i) => applicantAt(from + i)) });
}

/** Applicants 0 .. count - 1: the hit runs' pool, cached beforehand. */
export function poolBodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) => applicantBody(i));
}

/**
 * A body the service must refuse (422): what a supply hands out once it is spent, so a run that
 * outlives its never-seen applicants fails loudly instead of quietly measuring hits.
 */
const SPENT_BODY = '{"supply":"spent"}';

/**
 * Never-seen applicants [from, to) of one namespace, handed out once each, in order. Miss runs
 * draw from it request by request; warm-up and measured run draw from the same supply.
 */
export class ApplicantSupply {
  private next: number;
  /** Bodies asked for after the supply ran out. */
  overdrawn = 0;

  constructor(
    from: number,
    private readonly to: number,
  ) {
    if (from < 0 || to > DISTINCT_APPLICANTS || from > to) throw new RangeError(`bad applicant range [${from}, ${to})`);
    this.next = from;
  }

  get remaining(): number {
    return this.to - this.next;
  }

  /** One applicant's body, for one request. */
  readonly body = (): string => {
    if (this.next >= this.to) {
      this.overdrawn += 1;
      return SPENT_BODY;
    }
    return applicantBody(this.next++);
  };

  /** The next `count` applicants, e.g. for one batch; throws when fewer are left. */
  take(count: number): { from: number; count: number } {
    if (count > this.remaining) throw new Error(`only ${this.remaining} never-seen applicants left, ${count} needed`);
    const from = this.next;
    this.next += count;
    return { from, count };
  }
}
