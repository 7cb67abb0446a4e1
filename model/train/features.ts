import {
  FOREIGN_WORKER,
  INSTALLMENT_BAND_LOWER_BOUNDS,
  MIN_AGE_YEARS,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
  installmentBand,
  type Applicant,
} from '../../shared/applicant.js';
import type { ApplicantEncoding } from '../../shared/model-encoding.js';
import type { CreditRow } from './german-data.js';

/**
 * Age from which the bad rate in the data stops falling (37 % under 30, 24 % from 35 on, with no
 * trend among the older), so the age feature is how many years an applicant is younger than this.
 */
export const AGE_KNOT_YEARS = 35;

/** A categorical API field, one-hot encoded over its levels in the shared list's order. */
export interface CategoricalFeature {
  readonly field: 'foreign_worker' | 'present_employment_since' | 'personal_status_and_sex';
  readonly levels: readonly string[];
}

/** The categoricals in the order their one-hot blocks follow the two numeric features. */
export const CATEGORICAL_FEATURES: readonly CategoricalFeature[] = [
  { field: 'foreign_worker', levels: FOREIGN_WORKER },
  { field: 'present_employment_since', levels: PRESENT_EMPLOYMENT_SINCE },
  { field: 'personal_status_and_sex', levels: PERSONAL_STATUS_AND_SEX },
];

/** Names of the numeric features, the first columns of the feature vector. */
export const NUMERIC_FEATURES = ['installment_band', `age_years_under_${AGE_KNOT_YEARS}`] as const;

/**
 * Names of the feature-vector columns, in the order the ONNX graph concatenates them:
 * the two numeric features, then one column per level of each categorical (`field=level`).
 */
export const FEATURE_NAMES: readonly string[] = [
  ...NUMERIC_FEATURES,
  ...CATEGORICAL_FEATURES.flatMap(({ field, levels }) => levels.map((level) => `${field}=${level}`)),
];

/**
 * The encoding above as the manifest declares it for the service, in feature-vector order: the
 * service derives cache keys and principal reasons from it, so it must say exactly what the graph does.
 */
export const MODEL_ENCODING: ApplicantEncoding = [
  {
    kind: 'band',
    field: 'installment_rate_in_percentage_of_disposable_income',
    feature: NUMERIC_FEATURES[0],
    lowerBounds: [...INSTALLMENT_BAND_LOWER_BOUNDS],
  },
  {
    kind: 'yearsUnder',
    field: 'age_in_years',
    feature: NUMERIC_FEATURES[1],
    knot: AGE_KNOT_YEARS,
    minimum: MIN_AGE_YEARS,
  },
  ...CATEGORICAL_FEATURES.map(({ field, levels }) => ({ kind: 'oneHot' as const, field, categories: [...levels] })),
];

/** Index of the first column of each categorical's one-hot block. */
export function categoricalBlockStart(index: number): number {
  let start = NUMERIC_FEATURES.length;
  for (const feature of CATEGORICAL_FEATURES.slice(0, index)) start += feature.levels.length;
  return start;
}

// The age feature: years below the knot, 0 from the knot on.
function ageYearsUnderKnot(ageInYears: number): number {
  return Math.max(0, AGE_KNOT_YEARS - ageInYears);
}

/**
 * The feature vector of one applicant, exactly as the ONNX graph builds it: band code 1–4,
 * years under the age knot, then one-hot blocks. A level outside a list gives an all-zero block,
 * as the graph's OneHotEncoder does with `zeros=1`.
 */
export function encodeRow(row: CreditRow): Float64Array {
  const vector = new Float64Array(FEATURE_NAMES.length);
  vector[0] = row.installmentBand;
  vector[1] = ageYearsUnderKnot(row.age_in_years);
  CATEGORICAL_FEATURES.forEach(({ field, levels }, index) => {
    const level = levels.indexOf(row[field]);
    if (level >= 0) vector[categoricalBlockStart(index) + level] = 1;
  });
  return vector;
}

/** An API applicant as the model sees it: the installment share reduced to its band code. */
export function creditRowFromApplicant(applicant: Applicant): CreditRow {
  return {
    installmentBand: installmentBand(applicant.installment_rate_in_percentage_of_disposable_income),
    age_in_years: applicant.age_in_years,
    foreign_worker: applicant.foreign_worker,
    present_employment_since: applicant.present_employment_since,
    personal_status_and_sex: applicant.personal_status_and_sex,
  };
}
