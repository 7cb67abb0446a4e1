import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { INSTALLMENT_BAND_LOWER_BOUNDS } from '../../shared/applicant.js';
import { AGE_KNOT_YEARS, CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES } from './features.js';
import type { LogisticModel } from './logistic-model.js';
import {
  AGE_IN_YEARS,
  DECISION,
  GRAPH_INPUTS,
  GRAPH_OUTPUTS,
  INSTALLMENT_SHARE,
  PROBABILITY,
  RISK_CATEGORY,
} from './onnx-contract.js';
import {
  ElementType,
  ML_DOMAIN,
  columnValue,
  doubleTensor,
  int64Tensor,
  intAttribute,
  node,
  stringsAttribute,
} from './onnx-builders.js';

/** Opsets the graph is written against; onnxruntime-node 1.30 runs both. */
export const OPSETS = { 'ai.onnx': 17, 'ai.onnx.ml': 3 } as const;
/** ONNX IR version of the file. */
export const IR_VERSION = 8;

/** What goes into the graph besides its fixed encoding. */
export interface GraphSpec {
  readonly name: string;
  readonly model: LogisticModel;
  readonly decisionThreshold: number;
  readonly riskBandThresholds: readonly [number, number];
}

const [INSTALLMENT_BAND, AGE_FEATURE] = NUMERIC_FEATURES;
// Reductions over axis 1 keep it, so every per-applicant value stays [N, 1].
const KEEP_DIMS = intAttribute('keepdims', 1);

/** Share → band code 1–4: 1 + the number of lower bounds the share reaches (bounds inclusive). */
function installmentNodes(): { nodes: onnx.INodeProto[]; constants: onnx.ITensorProto[] } {
  const bounds = INSTALLMENT_BAND_LOWER_BOUNDS;
  const toDouble = intAttribute('to', ElementType.DOUBLE);
  return {
    constants: [doubleTensor('installment_band_lower_bounds', [bounds.length], bounds), doubleTensor('one', [], [1])],
    nodes: [
      node('GreaterOrEqual', [INSTALLMENT_SHARE, 'installment_band_lower_bounds'], ['installment_bounds_reached']),
      node('Cast', ['installment_bounds_reached'], ['installment_bounds_reached_double'], [toDouble]),
      node('ReduceSum', ['installment_bounds_reached_double', 'axis_1'], ['installment_bounds_count'], [KEEP_DIMS]),
      node('Add', ['installment_bounds_count', 'one'], [INSTALLMENT_BAND]),
    ],
  };
}

/** Age → years under the knot, max(0, knot − age). */
function ageNodes(): { nodes: onnx.INodeProto[]; constants: onnx.ITensorProto[] } {
  return {
    constants: [doubleTensor('age_knot_years', [], [AGE_KNOT_YEARS]), doubleTensor('zero', [], [0])],
    nodes: [
      node('Sub', ['age_knot_years', AGE_IN_YEARS], ['age_knot_minus_age']),
      node('Max', ['age_knot_minus_age', 'zero'], [AGE_FEATURE]),
    ],
  };
}

/** String [N,1] → one-hot [N,1,C] float (all zeros if unseen) → [N,C] → double. */
function oneHotNodes(field: string, levels: readonly string[]): onnx.INodeProto[] {
  return [
    node(
      'OneHotEncoder',
      [field],
      [`${field}_one_hot_3d`],
      [stringsAttribute('cats_strings', levels), intAttribute('zeros', 1)],
      ML_DOMAIN,
    ),
    node('Flatten', [`${field}_one_hot_3d`], [`${field}_one_hot_float`], [intAttribute('axis', 1)]),
    node('Cast', [`${field}_one_hot_float`], [`${field}_one_hot`], [intAttribute('to', ElementType.DOUBLE)]),
  ];
}

/** Features → logit → probability, and the thresholds applied to it. */
function scoringNodes(spec: GraphSpec): { nodes: onnx.INodeProto[]; constants: onnx.ITensorProto[] } {
  const features = [...NUMERIC_FEATURES, ...CATEGORICAL_FEATURES.map(({ field }) => `${field}_one_hot`)];
  return {
    constants: [
      doubleTensor('coefficients', [FEATURE_NAMES.length, 1], [...spec.model.coefficients]),
      doubleTensor('intercept', [1], [spec.model.intercept]),
      doubleTensor('decision_threshold', [], [spec.decisionThreshold]),
      doubleTensor('risk_band_thresholds', [spec.riskBandThresholds.length], spec.riskBandThresholds),
    ],
    nodes: [
      node('Concat', features, ['features'], [intAttribute('axis', 1)]),
      node('MatMul', ['features', 'coefficients'], ['weighted_sum']),
      node('Add', ['weighted_sum', 'intercept'], ['logit']),
      node('Sigmoid', ['logit'], [PROBABILITY]),
      node('GreaterOrEqual', [PROBABILITY, 'decision_threshold'], ['declined']),
      node('Cast', ['declined'], [DECISION], [intAttribute('to', ElementType.INT64)]),
      // The risk category is the number of band thresholds reached: 0 LOW, 1 MEDIUM, 2 HIGH.
      node('GreaterOrEqual', [PROBABILITY, 'risk_band_thresholds'], ['risk_bands_reached']),
      node('Cast', ['risk_bands_reached'], ['risk_bands_reached_int64'], [intAttribute('to', ElementType.INT64)]),
      node('ReduceSum', ['risk_bands_reached_int64', 'axis_1'], [RISK_CATEGORY], [KEEP_DIMS]),
    ],
  };
}

/**
 * Serialises the whole model as ONNX: five raw API fields in, probability, decision and risk
 * category out, all encoding and thresholds inside the graph. Same spec, same bytes.
 */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const installment = installmentNodes();
  const age = ageNodes();
  const scoring = scoringNodes(spec);
  const graph: onnx.IGraphProto = {
    name: spec.name.replaceAll('-', '_'),
    node: [
      ...installment.nodes,
      ...age.nodes,
      ...CATEGORICAL_FEATURES.flatMap(({ field, levels }) => oneHotNodes(field, levels)),
      ...scoring.nodes,
    ],
    initializer: [int64Tensor('axis_1', [1], [1]), ...installment.constants, ...age.constants, ...scoring.constants],
    input: GRAPH_INPUTS.map(({ name, elemType, meaning }) => columnValue(name, elemType, meaning)),
    output: GRAPH_OUTPUTS.map(({ name, elemType, meaning }) => columnValue(name, elemType, meaning)),
  };
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: OPSETS['ai.onnx'] },
      { domain: ML_DOMAIN, version: OPSETS['ai.onnx.ml'] },
    ],
    producerName: 'credit-scoring-service model/train',
    graph,
  };
  return onnxProto.onnx.ModelProto.encode(model).finish();
}
