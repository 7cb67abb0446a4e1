import type { Applicant } from '../../shared/applicant.js';
import { encodedValue, levelCount, levelOf, type FieldEncoding } from '../../shared/model-encoding.js';
import { PrincipalReasons } from '../../shared/principal-reasons.js';
import { MAX_REASONS, REASONS, reasonIndex } from '../../shared/reasons.js';
import { FEATURE_NAMES, MODEL_ENCODING } from './features.js';
import { COST_BAD_ACCEPTED, COST_GOOD_DECLINED } from './metrics.js';
import type { TrainingResult } from './training-result.js';

const fixed = (value: number, digits = 4): string => value.toFixed(digits);

function coefficientsByName(result: TrainingResult): Record<string, number> {
  return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, result.model.coefficients[i] ?? NaN]));
}

/** One field of one applicant: the model's value, the field's lowest-risk value, and the points between. */
interface FieldTerm {
  field: string;
  value: string;
  best: string;
  weight: string;
  points: number;
}

function fieldTerm(spec: FieldEncoding, weights: Record<string, number>, applicant: Applicant): FieldTerm {
  const level = levelOf(spec, applicant);
  if (spec.kind === 'oneHot') {
    const levelWeights = spec.categories.map((category) => weights[`${spec.field}=${category}`] ?? NaN);
    const best = levelWeights.indexOf(Math.min(...levelWeights));
    return {
      field: spec.field,
      value: `"${spec.categories[level]}"`,
      best: `"${spec.categories[best]}"`,
      weight: `${fixed(levelWeights[level]!)} vs ${fixed(levelWeights[best]!)}`,
      points: levelWeights[level]! - levelWeights[best]!,
    };
  }
  const weight = weights[spec.feature] ?? NaN;
  const values = Array.from({ length: levelCount(spec) }, (_, l) => encodedValue(spec, l));
  const best = values.reduce((a, b) => (weight * b < weight * a ? b : a));
  const value = encodedValue(spec, level);
  return {
    field: spec.field,
    value: `${spec.feature} = ${value}`,
    best: String(best),
    weight: fixed(weight),
    points: weight * (value - best),
  };
}

/** Every reason code, the field it names, and how many points below best it stands for in this model. */
export function reasonCodeTable(result: TrainingResult): string {
  const weights = coefficientsByName(result);
  const terms = new Map<number, string>();
  for (const spec of MODEL_ENCODING) {
    for (let level = 0; level < levelCount(spec); level++) {
      if (spec.kind === 'oneHot') {
        const category = spec.categories[level]!;
        const own = weights[`${spec.field}=${category}`] ?? NaN;
        const best = Math.min(...spec.categories.map((c) => weights[`${spec.field}=${c}`] ?? NaN));
        terms.set(reasonIndex(spec.field, category), fixed(own - best));
      } else {
        const weight = weights[spec.feature] ?? NaN;
        terms.set(reasonIndex(spec.field), `${fixed(Math.abs(weight))} per ${spec.kind === 'band' ? 'band' : 'year'}`);
      }
    }
  }
  return [
    '| code | field (level) | description | points below best in this model |',
    '|---|---|---|---:|',
    ...REASONS.map((reason, i) => {
      const level = 'level' in reason ? ` (\`${reason.level}\`)` : '';
      return `| \`${reason.code}\` | \`${reason.field}\`${level} | ${reason.description} | ${terms.get(i) ?? ''} |`;
    }),
  ].join('\n');
}

/** The model card's worked example: every field's points below best for the API's example applicant. */
export function reasonExample(result: TrainingResult): string {
  const weights = coefficientsByName(result);
  const { applicant, probability } = result.example;
  const chosen = PrincipalReasons.fromModel(MODEL_ENCODING, weights).of(applicant);
  const rows = MODEL_ENCODING.map((spec) => {
    const term = fieldTerm(spec, weights, applicant);
    // Each field has at most one reason, so the field finds its rank.
    const rank = chosen.findIndex((reason) => reason.field === spec.field);
    const shown = rank >= 0 ? `${rank + 1}. \`${chosen[rank]!.code}\`` : '—';
    return `| \`${term.field}\` | ${term.value} | ${term.best} | ${term.weight} | ${fixed(term.points)} | ${shown} |`;
  });
  const accept = COST_BAD_ACCEPTED * probability;
  const decline = COST_GOOD_DECLINED * (1 - probability);
  const positive = MODEL_ENCODING.filter((spec) => fieldTerm(spec, weights, applicant).points > 0).length;
  const leftOut = positive - chosen.length;
  return [
    '| field | applicant | lowest-risk value | weight (log-odds) | points below best | reason |',
    '|---|---|---|---:|---:|---|',
    ...rows,
    '',
    `${positive} fields have positive points; the ${MAX_REASONS} largest are the reasons, strongest first` +
      (leftOut > 0 ? ` (${leftOut} left out).` : '.'),
    `With p = ${fixed(probability, 6)} the expected costs are accept = ${COST_BAD_ACCEPTED} × p = ${fixed(accept, 6)} and`,
    `decline = ${COST_GOOD_DECLINED} × (1 − p) = ${fixed(decline, 6)}: ${accept > decline ? 'declining' : 'accepting'} is the cheaper call.`,
  ].join('\n');
}
