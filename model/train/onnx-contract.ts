import { CATEGORICAL_FEATURES } from './features.js';
import { ElementType } from './onnx-builders.js';

/** Meaning of the graph's `decision` output, by code. */
export const DECISION_LABELS = ['ACCEPT', 'DECLINE'] as const;
/** Meaning of the graph's `risk_category` output, by code. */
export const RISK_CATEGORY_LABELS = ['LOW', 'MEDIUM', 'HIGH'] as const;

/** Input: the API's installment share of disposable income, as a fraction. */
export const INSTALLMENT_SHARE = 'installment_share';
/** Input: the API's age in years. */
export const AGE_IN_YEARS = 'age_in_years';
/** Output: probability of default. */
export const PROBABILITY = 'probability';
/** Output: decision code, see DECISION_LABELS. */
export const DECISION = 'decision';
/** Output: risk category code, see RISK_CATEGORY_LABELS. */
export const RISK_CATEGORY = 'risk_category';

/** One graph input or output; every one has shape [N, 1]. */
export interface TensorSpec {
  readonly name: string;
  readonly elemType: number;
  /** The ONNX type name, as onnxruntime reports it: `tensor(double)`. */
  readonly type: string;
  readonly meaning: string;
}

const codes = (labels: readonly string[]): string => labels.map((label, code) => `${code} ${label}`).join(', ');

/** The graph's inputs in order. */
export const GRAPH_INPUTS: readonly TensorSpec[] = [
  {
    name: INSTALLMENT_SHARE,
    elemType: ElementType.DOUBLE,
    type: 'tensor(double)',
    meaning: 'share of disposable income paid in instalments, 0.25 = 25 %',
  },
  { name: AGE_IN_YEARS, elemType: ElementType.DOUBLE, type: 'tensor(double)', meaning: 'age in years' },
  ...CATEGORICAL_FEATURES.map(({ field, levels }) => ({
    name: field,
    elemType: ElementType.STRING,
    type: 'tensor(string)',
    meaning: `one of ${levels.map((level) => `"${level}"`).join(', ')}; any other string scores as the field's average`,
  })),
];

/** The graph's outputs in order. */
export const GRAPH_OUTPUTS: readonly TensorSpec[] = [
  {
    name: PROBABILITY,
    elemType: ElementType.DOUBLE,
    type: 'tensor(double)',
    meaning: 'probability of default (bad = class 2)',
  },
  { name: DECISION, elemType: ElementType.INT64, type: 'tensor(int64)', meaning: codes(DECISION_LABELS) },
  { name: RISK_CATEGORY, elemType: ElementType.INT64, type: 'tensor(int64)', meaning: codes(RISK_CATEGORY_LABELS) },
];
