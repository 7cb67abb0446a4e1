import { z } from 'zod';

/** Values of `foreign_worker`, in the order the model and the cache key index them. */
export const FOREIGN_WORKER = ['yes', 'no'] as const;

/** Values of `present_employment_since`, in the order the model and the cache key index them. */
export const PRESENT_EMPLOYMENT_SINCE = [
  'unemployed',
  'less than 1 year',
  '1 to 4 years',
  '4 to 7 years',
  '7 years or more',
] as const;

/**
 * Values of `personal_status_and_sex`, in the order the model and the cache key index them.
 * "female: single" never occurs in the training data; the model scores it as an unseen category.
 */
export const PERSONAL_STATUS_AND_SEX = [
  'male: divorced/separated',
  'female: divorced/separated/married',
  'male: single',
  'male: married/widowed',
  'female: single',
] as const;

export const MIN_AGE_YEARS = 18;
export const MAX_AGE_YEARS = 120;

/**
 * One loan applicant as the API takes it. Strict: an unknown field is an error, so a typo
 * never silently scores a different applicant.
 */
export const Applicant = z
  .strictObject({
    installment_rate_in_percentage_of_disposable_income: z
      .number()
      .gt(0)
      .lte(1)
      .describe('Share of disposable income paid in instalments, as a fraction: 0.25 = 25 %.'),
    age_in_years: z.number().int().min(MIN_AGE_YEARS).max(MAX_AGE_YEARS),
    foreign_worker: z.enum(FOREIGN_WORKER),
    present_employment_since: z.enum(PRESENT_EMPLOYMENT_SINCE),
    personal_status_and_sex: z.enum(PERSONAL_STATUS_AND_SEX),
  })
  .meta({
    id: 'Applicant',
    example: {
      installment_rate_in_percentage_of_disposable_income: 0.25,
      age_in_years: 30,
      foreign_worker: 'yes',
      present_employment_since: 'unemployed',
      personal_status_and_sex: 'male: single',
    },
  });
export type Applicant = z.infer<typeof Applicant>;

/**
 * Lower bounds (inclusive) of installment bands 2, 3 and 4 of the German Credit data:
 * share < 0.20 is band 1, 0.20–0.25 band 2, 0.25–0.35 band 3, ≥ 0.35 band 4.
 * The ONNX graph applies the same bounds; a test holds them together.
 */
export const INSTALLMENT_BAND_LOWER_BOUNDS = [0.2, 0.25, 0.35] as const;

/** The data set's installment-rate code (1–4) for a share of disposable income. */
export function installmentBand(share: number): 1 | 2 | 3 | 4 {
  let band = 1;
  for (const bound of INSTALLMENT_BAND_LOWER_BOUNDS) if (share >= bound) band += 1;
  return band as 1 | 2 | 3 | 4;
}
