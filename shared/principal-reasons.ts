import type { Applicant } from './applicant.js';
import { encodedValue, levelCount, levelOf, type ApplicantEncoding, type FieldEncoding } from './model-encoding.js';
import { MAX_REASONS, reasonAt, reasonIndex, type Reason } from './reasons.js';

/** One level of one field: how far it sits above the field's lowest-risk level, and its reason. */
interface LevelPoints {
  points: number;
  reason: Reason;
}

function coefficient(coefficients: Readonly<Record<string, number>>, name: string): number {
  const value = coefficients[name];
  if (value === undefined) throw new Error(`the model has no coefficient ${name}`);
  return value;
}

function reasonOf(field: keyof Applicant, level?: string): Reason {
  const reason = reasonAt(reasonIndex(field, level));
  if (!reason) throw new Error(`no reason code for ${field}${level === undefined ? '' : `=${level}`}`);
  return reason;
}

/** Points below best of every level of one field, in log-odds. */
function fieldPoints(spec: FieldEncoding, coefficients: Readonly<Record<string, number>>): LevelPoints[] {
  if (spec.kind === 'oneHot') {
    const weights = spec.categories.map((category) => coefficient(coefficients, `${spec.field}=${category}`));
    const best = Math.min(...weights);
    return weights.map((weight, i) => ({ points: weight - best, reason: reasonOf(spec.field, spec.categories[i]) }));
  }
  const weight = coefficient(coefficients, spec.feature);
  const values = Array.from({ length: levelCount(spec) }, (_, level) => encodedValue(spec, level));
  // The lowest-risk value is the smallest for a positive weight, the largest for a negative one.
  const best = values.reduce((a, b) => (weight * b < weight * a ? b : a));
  const reason = reasonOf(spec.field);
  return values.map((value) => ({ points: weight * (value - best), reason }));
}

/**
 * The scorecard industry's "points below best": per field, weight × (the applicant's encoded value
 * − the encoded value of the field's lowest-risk level); the fields with positive points are the
 * principal reasons, strongest first, at most four. Equal points keep the encoding's field order.
 * Built once per model from its manifest (encoding and coefficients), then a table lookup per field.
 */
export class PrincipalReasons {
  private constructor(
    private readonly encoding: ApplicantEncoding,
    private readonly points: LevelPoints[][],
  ) {}

  /** Throws when a level of the encoding has no coefficient or no reason code. */
  static fromModel(encoding: ApplicantEncoding, coefficients: Readonly<Record<string, number>>): PrincipalReasons {
    return new PrincipalReasons(
      encoding,
      encoding.map((spec) => fieldPoints(spec, coefficients)),
    );
  }

  /** This applicant's principal reasons, strongest first; empty when every field is at its best. */
  of(applicant: Applicant): Reason[] {
    return this.encoding
      .map((spec, field) => this.points[field]![levelOf(spec, applicant)]!)
      .filter(({ points }) => points > 0)
      .sort((a, b) => b.points - a.points)
      .slice(0, MAX_REASONS)
      .map(({ reason }) => reason);
  }
}
