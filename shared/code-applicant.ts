import type { Applicant } from './applicant.js';
import { levelCount, type ApplicantEncoding } from './model-encoding.js';

/**
 * An applicant whose code is `code`: for each field, one value of the level its digit names (a
 * band's lower bound, or half the first bound for band 1; the knot minus the years under it; the
 * category). The model cannot tell it from any other applicant with that code, so scoring it
 * scores them all: portfolio chunks store codes, not applicants. Throws RangeError for a code
 * outside the encoding.
 */
export function applicantOfCode(encoding: ApplicantEncoding, code: number): Applicant {
  const values: Record<string, string | number> = {};
  let rest = code;
  for (let i = encoding.length - 1; i >= 0; i--) {
    const spec = encoding[i]!;
    const base = levelCount(spec);
    const level = rest % base;
    rest = Math.floor(rest / base);
    if (spec.kind === 'oneHot') values[spec.field] = spec.categories[level]!;
    else if (spec.kind === 'band')
      values[spec.field] = level === 0 ? spec.lowerBounds[0]! / 2 : spec.lowerBounds[level - 1]!;
    else values[spec.field] = spec.knot - level;
  }
  if (rest !== 0 || !Number.isInteger(code) || code < 0) throw new RangeError('a code outside the model encoding');
  return values as unknown as Applicant;
}
