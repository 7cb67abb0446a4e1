import { z } from 'zod';
import type { Applicant } from './applicant.js';

/**
 * Every principal reason the service can give, with the plain words a lender can print on a notice.
 * A numeric field has one reason; a categorical field one per level (`level`). Codes are stable
 * across model versions. Append only: a reason's position is how the cache stores it.
 */
export const REASONS = [
  {
    code: 'INSTALMENTS_HIGH_SHARE_OF_INCOME',
    field: 'installment_rate_in_percentage_of_disposable_income',
    description: 'Instalments take a large share of disposable income',
  },
  {
    code: 'AGE_YOUNGER_THAN_LOWEST_RISK',
    field: 'age_in_years',
    description: 'Younger than the lowest-risk age group',
  },
  { code: 'FOREIGN_WORKER', field: 'foreign_worker', level: 'yes', description: 'Foreign worker' },
  { code: 'NOT_FOREIGN_WORKER', field: 'foreign_worker', level: 'no', description: 'Not a foreign worker' },
  { code: 'UNEMPLOYED', field: 'present_employment_since', level: 'unemployed', description: 'Not employed' },
  {
    code: 'EMPLOYED_LESS_THAN_1_YEAR',
    field: 'present_employment_since',
    level: 'less than 1 year',
    description: 'Employed for less than one year',
  },
  {
    code: 'EMPLOYED_1_TO_4_YEARS',
    field: 'present_employment_since',
    level: '1 to 4 years',
    description: 'Employed for one to four years',
  },
  {
    code: 'EMPLOYED_4_TO_7_YEARS',
    field: 'present_employment_since',
    level: '4 to 7 years',
    description: 'Employed for four to seven years',
  },
  {
    code: 'EMPLOYED_7_YEARS_OR_MORE',
    field: 'present_employment_since',
    level: '7 years or more',
    description: 'Employed for seven years or more',
  },
  {
    code: 'MALE_DIVORCED_OR_SEPARATED',
    field: 'personal_status_and_sex',
    level: 'male: divorced/separated',
    description: 'Personal status: male, divorced or separated',
  },
  {
    code: 'FEMALE_DIVORCED_SEPARATED_OR_MARRIED',
    field: 'personal_status_and_sex',
    level: 'female: divorced/separated/married',
    description: 'Personal status: female, divorced, separated or married',
  },
  {
    code: 'MALE_SINGLE',
    field: 'personal_status_and_sex',
    level: 'male: single',
    description: 'Personal status: male, single',
  },
  {
    code: 'MALE_MARRIED_OR_WIDOWED',
    field: 'personal_status_and_sex',
    level: 'male: married/widowed',
    description: 'Personal status: male, married or widowed',
  },
  {
    code: 'FEMALE_SINGLE',
    field: 'personal_status_and_sex',
    level: 'female: single',
    description: 'Personal status: female, single (no such applicants in the training data)',
  },
] as const satisfies ReadonlyArray<{ code: string; field: keyof Applicant; level?: string; description: string }>;

type ReasonCode = (typeof REASONS)[number]['code'];
const CODES = REASONS.map((reason) => reason.code) as [ReasonCode, ...ReasonCode[]];
const FIELDS = [...new Set(REASONS.map((reason) => reason.field))] as [keyof Applicant, ...Array<keyof Applicant>];

/** One principal reason as the API returns it. */
export const Reason = z
  .object({
    code: z
      .enum(CODES)
      .describe(
        ['Stable reason code; a new model version may change weights but keeps the codes.', '']
          .concat(REASONS.map((reason) => `- \`${reason.code}\`: ${reason.description}`))
          .join('\n'),
      ),
    field: z.enum(FIELDS).describe('The applicant field the reason is about'),
    description: z.string().describe("The code's plain-language description, fit to print on a notice"),
  })
  .meta({ id: 'Reason' });
export type Reason = z.infer<typeof Reason>;

/** Up to this many reasons per applicant: what US Regulation B asks for in practice. */
export const MAX_REASONS = 4;

/** The reason at a position of REASONS, as the API returns it; undefined for an unknown position. */
export function reasonAt(index: number): Reason | undefined {
  const reason = REASONS[index];
  return reason && { code: reason.code, field: reason.field, description: reason.description };
}

/** Position in REASONS of a field's reason (numeric fields) or of one of its levels; -1 when none. */
export function reasonIndex(field: keyof Applicant, level?: string): number {
  return REASONS.findIndex(
    (reason) => reason.field === field && ('level' in reason ? reason.level : undefined) === level,
  );
}
