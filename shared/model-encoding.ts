import { z } from 'zod';
import { Applicant } from './applicant.js';

const APPLICANT_FIELDS = Object.keys(Applicant.shape) as [keyof Applicant, ...Array<keyof Applicant>];

/** The largest code that still fits the 9 decimal digits public ids carry (as a uint32). */
const MAX_CODES = 1_000_000_000;

/**
 * How the model sees one API field, as model/train writes it into the manifest:
 * - `band`: 1 + the number of `lowerBounds` the value reaches (bounds inclusive), used as a number;
 * - `yearsUnder`: max(0, knot − value), used as a number; `minimum` is the lowest value the API takes;
 * - `oneHot`: one column per category, in this order.
 * `feature` names a numeric field's coefficient; a one-hot level's is `field=category`.
 */
export const FieldEncoding = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('band'),
    field: z.enum(APPLICANT_FIELDS),
    feature: z.string().min(1),
    lowerBounds: z.array(z.number()).min(1),
  }),
  z.strictObject({
    kind: z.literal('yearsUnder'),
    field: z.enum(APPLICANT_FIELDS),
    feature: z.string().min(1),
    knot: z.number().int(),
    minimum: z.number().int(),
  }),
  z.strictObject({
    kind: z.literal('oneHot'),
    field: z.enum(APPLICANT_FIELDS),
    categories: z.array(z.string()).min(1),
  }),
]);
export type FieldEncoding = z.infer<typeof FieldEncoding>;

/** How many values the model can tell apart in one field. */
export function levelCount(spec: FieldEncoding): number {
  switch (spec.kind) {
    case 'band':
      return spec.lowerBounds.length + 1;
    case 'yearsUnder':
      return Math.max(0, spec.knot - spec.minimum) + 1;
    case 'oneHot':
      return spec.categories.length;
  }
}

/**
 * The model's encoding of every API field, in the order the manifest lists them (which is also the
 * order of digits in an applicant code and the tie-break order of reasons). The product of the
 * fields' level counts (3,600 for 79144bd9) is at most 10^9, so codes stay decimal strings of at
 * most 9 digits; parsing throws otherwise.
 */
export const ApplicantEncoding = z
  .array(FieldEncoding)
  .min(1)
  .refine((fields) => new Set(fields.map((f) => f.field)).size === fields.length, 'a field is encoded twice')
  .refine((fields) => fields.reduce((n, f) => n * levelCount(f), 1) <= MAX_CODES, 'codes would exceed 9 digits');
export type ApplicantEncoding = z.infer<typeof ApplicantEncoding>;

/**
 * Which of its `levelCount` values one field of an applicant is, 0-based (band 1 is level 0, a
 * yearsUnder level is the number of years itself). Throws when the applicant's value is outside
 * what the encoding declares: the start-up check makes that a bug, not an input error.
 */
export function levelOf(spec: FieldEncoding, applicant: Applicant): number {
  const value = applicant[spec.field];
  if (spec.kind === 'oneHot') {
    const level = spec.categories.indexOf(String(value));
    if (level < 0) throw new RangeError(`${spec.field}: value outside the model's categories`);
    return level;
  }
  if (typeof value !== 'number') throw new TypeError(`${spec.field}: the model encodes it as a number`);
  if (spec.kind === 'band') return spec.lowerBounds.filter((bound) => value >= bound).length;
  if (!Number.isInteger(value) || value < spec.minimum) throw new RangeError(`${spec.field}: outside the encoding`);
  return Math.max(0, spec.knot - value);
}

/** The number a numeric field's level feeds the model (band code 1–4, years under the knot). */
export function encodedValue(spec: FieldEncoding & { kind: 'band' | 'yearsUnder' }, level: number): number {
  return spec.kind === 'band' ? level + 1 : level;
}

/**
 * The applicant as the model sees it, as one number in mixed radix: each field's level is a digit
 * whose base is that field's level count, the first field most significant. Two applicants get the
 * same code exactly when the model sees the same inputs. A decimal string without leading zeros
 * (so it survives a round trip through a uint32), of at most 9 digits.
 */
export function encodingCode(encoding: ApplicantEncoding, applicant: Applicant): string {
  let code = 0;
  for (const spec of encoding) code = code * levelCount(spec) + levelOf(spec, applicant);
  return String(code);
}
