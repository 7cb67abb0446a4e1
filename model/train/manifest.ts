import { INSTALLMENT_BAND_LOWER_BOUNDS } from '../../shared/applicant.js';
import { BAYES_THRESHOLD } from './evaluation.js';
import { AGE_KNOT_YEARS, CATEGORICAL_FEATURES, FEATURE_NAMES, MODEL_ENCODING } from './features.js';
import { COST_BAD_ACCEPTED, COST_GOOD_DECLINED } from './metrics.js';
import { IR_VERSION, OPSETS } from './onnx-graph.js';
import {
  AGE_IN_YEARS,
  DECISION,
  DECISION_LABELS,
  GRAPH_INPUTS,
  GRAPH_OUTPUTS,
  INSTALLMENT_SHARE,
  PROBABILITY,
  RISK_CATEGORY,
  RISK_CATEGORY_LABELS,
  type TensorSpec,
} from './onnx-contract.js';
import { modelVersion, type TrainingResult } from './training-result.js';

const SHAPE = ['N', 1];

// Metrics are estimates from 1,000 rows; six decimals keep the manifest readable and stable.
const round = (value: number): number => Number(value.toFixed(6));

const ONE_HOT_ENCODING =
  'one-hot (ai.onnx.ml OneHotEncoder, zeros=1); a category absent from the training data or any other ' +
  "string gives all zeros, the field's average effect";

// What the manifest adds to each tensor's name, type and shape.
const INPUT_DETAILS: Readonly<Record<string, object>> = {
  [INSTALLMENT_SHARE]: {
    apiField: 'installment_rate_in_percentage_of_disposable_income',
    encoding:
      'band code 1–4 = 1 + number of installmentBandLowerBounds reached (lower bounds inclusive), used as a number',
  },
  [AGE_IN_YEARS]: { encoding: `years under ${AGE_KNOT_YEARS}: max(0, ${AGE_KNOT_YEARS} - age_in_years)` },
  ...Object.fromEntries(
    CATEGORICAL_FEATURES.map(({ field, levels }) => [field, { categories: levels, encoding: ONE_HOT_ENCODING }]),
  ),
};
const OUTPUT_DETAILS: Readonly<Record<string, object>> = {
  [PROBABILITY]: { description: 'probability of default (bad = class 2)' },
  [DECISION]: { labels: DECISION_LABELS, rule: 'DECLINE (1) when probability >= decisionThreshold, else ACCEPT (0)' },
  [RISK_CATEGORY]: {
    labels: RISK_CATEGORY_LABELS,
    rule: 'number of riskBandThresholds that probability reaches (>=): 0 LOW, 1 MEDIUM, 2 HIGH',
  },
};

function describe(specs: readonly TensorSpec[], details: Readonly<Record<string, object>>): Record<string, object> {
  return Object.fromEntries(specs.map(({ name, type }) => [name, { type, shape: SHAPE, ...details[name] }]));
}

/**
 * manifest.json for a training run: 2-space JSON, keys in a fixed order, trailing newline. The
 * service reads `version`, `file`, `sha256`, `decisionThreshold`, `riskBandThresholds`,
 * `installmentBandLowerBounds`, `encoding` (cache keys and reasons), `costMatrix` (expected costs),
 * `coefficients` (reasons) and the output labels; the rest documents the model.
 */
export function manifestJson(result: TrainingResult): string {
  const { evaluation } = result;
  const manifest = {
    name: result.name,
    version: modelVersion(result),
    file: result.onnxFile,
    sha256: result.onnxSha256,
    format: { irVersion: IR_VERSION, opsets: OPSETS },
    trainingData: result.data,
    inputs: describe(GRAPH_INPUTS, INPUT_DETAILS),
    outputs: describe(GRAPH_OUTPUTS, OUTPUT_DETAILS),
    installmentBandLowerBounds: INSTALLMENT_BAND_LOWER_BOUNDS,
    encoding: MODEL_ENCODING,
    decisionThreshold: result.decisionThreshold,
    riskBandThresholds: result.riskBandThresholds,
    costMatrix: { badAccepted: COST_BAD_ACCEPTED, goodDeclined: COST_GOOD_DECLINED },
    metrics: {
      cvFolds: result.plan.folds,
      cvRepeats: result.plan.repeats,
      cvSeed: result.plan.seed,
      cvAuc: round(evaluation.meanAuc),
      cvAucMin: round(Math.min(...evaluation.aucs)),
      cvAucMax: round(Math.max(...evaluation.aucs)),
      cvBrier: round(evaluation.brier),
      cvExpectedCost: round(evaluation.expectedCost),
      cvDeclineRate: round(evaluation.declineRate),
      bayesThreshold: round(BAYES_THRESHOLD),
      cvExpectedCostAtBayesThreshold: round(evaluation.expectedCostAtBayesThreshold),
      baselineExpectedCostDeclineAll: round(evaluation.expectedCostDeclineAll),
      baselineExpectedCostAcceptAll: round(evaluation.expectedCostAcceptAll),
      cvRiskBands: Object.fromEntries(
        RISK_CATEGORY_LABELS.map((label) => {
          const band = evaluation.bands[label];
          return [label, { share: round(band.share), badRate: round(band.badRate) }];
        }),
      ),
    },
    training: { method: 'logistic regression, Newton (IRLS), float64', l2: result.plan.l2 },
    coefficients: Object.fromEntries(FEATURE_NAMES.map((name, index) => [name, result.model.coefficients[index]])),
    intercept: result.model.intercept,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
